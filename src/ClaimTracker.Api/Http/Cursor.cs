using System.Buffers.Text;
using System.Text.Json;

namespace ClaimTracker.Api.Http;

/// <summary>
/// An opaque keyset-pagination cursor: the sort it belongs to and the last row's sort key and id,
/// as base64url JSON. Clients must treat it as opaque.
/// </summary>
public sealed record Cursor(string Sort, string Key, Guid Id)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, CursorJson.Options));

    public static bool TryDecode(string? text, out Cursor? cursor)
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
