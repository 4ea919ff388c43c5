using System.Buffers.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Http;

/// <summary>A page of results; `nextCursor` is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>A decoded cursor: the page continues strictly after the row with this sort key and id.</summary>
public readonly record struct After<TKey>(TKey Key, Guid Id);

/// <summary>Reads a sort key from a cursor's text; false when it is not one the list writes.</summary>
public delegate bool SortKeyParser<TKey>(string text, out TKey key);

/// <summary>
/// Keyset pagination, the one way every list pages: each page continues strictly after the last row's (sort key, id), so
/// pages never skip or repeat rows and a deep page costs what the first one does. No OFFSET, no COUNT.
/// </summary>
public static class Keyset
{
    /// <summary>
    /// Decodes the `cursor` parameter of a list in <paramref name="sort"/> order, its key parsed once here: null when there
    /// is none; when it is not a cursor this list issued, names `cursor` in <paramref name="errors"/>.
    /// </summary>
    public static After<TKey>? Decode<TKey>(string? text, string sort, SortKeyParser<TKey> parseKey, ValidationErrors errors)
    {
        if (text is null) return null;
        if (!Cursor.TryDecode(text, out var cursor))
        {
            errors.Add("cursor", "The cursor is not one this API issued.");
            return null;
        }
        if (cursor.Sort != sort)
        {
            errors.Add("cursor", "The cursor belongs to another list or sort order: start again without it.");
            return null;
        }
        if (!parseKey(cursor.Key, out var key))
        {
            errors.Add("cursor", "The cursor is not one this API issued.");
            return null;
        }
        return new After<TKey>(key, cursor.Id);
    }

    /// <summary>The rows a page reads: one more than its limit, which only says whether another page exists.</summary>
    public static IQueryable<T> PageRows<T>(this IQueryable<T> ordered, int limit) => ordered.Take(limit + 1);

    /// <summary>
    /// Reads one page of <paramref name="ordered"/> (filtered, in the list's order, already starting after the cursor) and
    /// writes the next page's cursor from the last row kept (<paramref name="positionOf"/>: its sort key as text, and its id).
    /// </summary>
    public static async Task<Page<TItem>> PageAsync<TRow, TItem>(
        IQueryable<TRow> ordered, int limit, string sort, Func<TRow, (string Key, Guid Id)> positionOf, Func<TRow, TItem> item,
        CancellationToken cancellationToken)
    {
        var rows = await ordered.PageRows(limit).ToListAsync(cancellationToken);
        if (rows.Count <= limit) return new Page<TItem>(rows.ConvertAll(r => item(r)), null);

        rows.RemoveAt(rows.Count - 1);
        var (key, id) = positionOf(rows[^1]);
        return new Page<TItem>(rows.ConvertAll(r => item(r)), new Cursor(sort, key, id).Encode());
    }

    /// <inheritdoc cref="PageAsync{TRow,TItem}"/>
    public static Task<Page<T>> PageAsync<T>(
        IQueryable<T> ordered, int limit, string sort, Func<T, (string Key, Guid Id)> positionOf, CancellationToken cancellationToken) =>
        PageAsync(ordered, limit, sort, positionOf, row => row, cancellationToken);
}

/// <summary>
/// An opaque keyset-pagination cursor: the sort it belongs to and the last row's sort key and id,
/// as base64url JSON. Clients must treat it as opaque.
/// </summary>
public sealed record Cursor(string Sort, string Key, Guid Id)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, CursorJson.Options));

    public static bool TryDecode(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Cursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 512) return false;
        try
        {
            cursor = JsonSerializer.Deserialize<Cursor>(Base64Url.DecodeFromChars(text), CursorJson.Options);
            return cursor is { Sort.Length: > 0, Key: not null };
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    private static class CursorJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}

public static class PageLinks
{
    /// <summary>Sets `Link: &lt;…&gt;; rel="next"`: the request's own URL with the cursor replaced.</summary>
    public static void SetNextLink(HttpContext context, string? nextCursor)
    {
        if (nextCursor is null) return;
        var request = context.Request;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
        query["cursor"] = nextCursor;
        var url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
            $"{request.PathBase}{request.Path}",
            query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))));
        context.Response.Headers.Link = $"<{url}>; rel=\"next\"";
    }
}
