using System.Globalization;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

public enum ClaimSort { UpdatedDesc, UpdatedAsc, OccurredAsc, OccurredDesc }

/// <summary>
/// Sort orders of claim lists and their keyset pagination: each page continues strictly after the last row's
/// (sort key, id), so pages never skip or repeat rows and a deep page costs what the first one does. No OFFSET.
/// Claims without a date sort after dated ones in both `occurred` orders.
/// </summary>
public static class ClaimSorts
{
    public const string Default = "-updated";

    private static readonly Dictionary<string, ClaimSort> Words = new(StringComparer.Ordinal)
    {
        ["-updated"] = ClaimSort.UpdatedDesc,
        ["updated"] = ClaimSort.UpdatedAsc,
        ["occurred"] = ClaimSort.OccurredAsc,
        ["-occurred"] = ClaimSort.OccurredDesc,
    };

    public static ClaimSort Parse(string word, ValidationErrors errors)
    {
        if (Words.TryGetValue(word, out var sort)) return sort;
        errors.Add("sort", $"'{word}' is not one of: {string.Join(", ", Words.Keys)}.");
        return ClaimSort.UpdatedDesc;
    }

    public static bool IsValidKey(ClaimSort sort, string key) => sort switch
    {
        ClaimSort.UpdatedDesc or ClaimSort.UpdatedAsc => TryParseTime(key, out _),
        _ => TryParseDate(key, out _),
    };

    /// <summary>One page of <paramref name="claims"/> (already filtered) in the filter's order, after its cursor.</summary>
    public static async Task<Page<ClaimResponse>> PageAsync(IQueryable<Claim> claims, ClaimFilter filter, CancellationToken cancellationToken)
    {
        var cursorId = filter.Cursor?.Id ?? Guid.Empty;
        var ordered = filter.Sort switch
        {
            ClaimSort.UpdatedDesc => After(filter, out var at)
                ? claims.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.UpdatedAt, c.Id), ValueTuple.Create(at, cursorId)))
                    .OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id)
                : claims.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
            ClaimSort.UpdatedAsc => After(filter, out var at)
                ? claims.Where(c => EF.Functions.GreaterThan(ValueTuple.Create(c.UpdatedAt, c.Id), ValueTuple.Create(at, cursorId)))
                    .OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id)
                : claims.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
            ClaimSort.OccurredAsc => AfterDate(filter, out var on)
                ? claims.Where(c => EF.Functions.GreaterThan(ValueTuple.Create(c.OccurredOn ?? DateOnly.MaxValue, c.Id), ValueTuple.Create(on, cursorId)))
                    .OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id)
                : claims.OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id),
            _ => AfterDate(filter, out var on)
                ? claims.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.OccurredOn ?? DateOnly.MinValue, c.Id), ValueTuple.Create(on, cursorId)))
                    .OrderByDescending(c => c.OccurredOn ?? DateOnly.MinValue).ThenByDescending(c => c.Id)
                : claims.OrderByDescending(c => c.OccurredOn ?? DateOnly.MinValue).ThenByDescending(c => c.Id),
        };

        // One row more than asked tells whether another page exists, without a COUNT.
        var rows = await ordered.Select(ClaimProjections.ToResponse).Take(filter.Limit + 1).ToListAsync(cancellationToken);
        if (rows.Count <= filter.Limit) return new Page<ClaimResponse>(rows, null);

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        var key = filter.Sort switch
        {
            ClaimSort.UpdatedDesc or ClaimSort.UpdatedAsc => last.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ClaimSort.OccurredAsc => (last.OccurredOn ?? DateOnly.MaxValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => (last.OccurredOn ?? DateOnly.MinValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        var word = Words.First(p => p.Value == filter.Sort).Key;
        return new Page<ClaimResponse>(rows, new Cursor(word, key, last.Id).Encode());
    }

    private static bool After(ClaimFilter filter, out DateTimeOffset at)
    {
        at = default;
        return filter.Cursor is { } cursor && TryParseTime(cursor.Key, out at);
    }

    private static bool AfterDate(ClaimFilter filter, out DateOnly on)
    {
        on = default;
        return filter.Cursor is { } cursor && TryParseDate(cursor.Key, out on);
    }

    private static bool TryParseTime(string key, out DateTimeOffset at) =>
        DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    private static bool TryParseDate(string key, out DateOnly on) =>
        DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out on);
}
