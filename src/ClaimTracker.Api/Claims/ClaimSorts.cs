using System.Globalization;
using System.Linq.Expressions;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

public enum ClaimSort { UpdatedDesc, UpdatedAsc, OccurredAsc, OccurredDesc, Relevance }

/// <summary>A list row with the rank it was ordered by (the next page's cursor starts after it).</summary>
public sealed record RankedClaim(ClaimResponse Claim, float Rank);

/// <summary>
/// Sort orders of claim lists and their keyset pagination: each page continues strictly after the last row's
/// (sort key, id), so pages never skip or repeat rows and a deep page costs what the first one does. No OFFSET.
/// Claims without a date sort after dated ones in both `occurred` orders. `relevance` (only with `q`) is best match
/// first, then newest id: its cursor carries the rank as a round-trip float, which PostgreSQL's `real` compares exactly.
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
        ["relevance"] = ClaimSort.Relevance,
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
        ClaimSort.Relevance => TryParseRank(key, out _),
        _ => TryParseDate(key, out _),
    };

    /// <summary>One page of <paramref name="claims"/> (already filtered) in the filter's order, after its cursor.</summary>
    public static async Task<Page<ClaimResponse>> PageAsync(IQueryable<Claim> claims, ClaimFilter filter, CancellationToken cancellationToken)
    {
        if (filter.Sort == ClaimSort.Relevance) return await PageByRelevanceAsync(claims, filter, cancellationToken);

        var rows = await PageQuery(claims, filter).ToListAsync(cancellationToken);
        if (rows.Count <= filter.Limit) return new Page<ClaimResponse>(rows, null);

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        var key = filter.Sort switch
        {
            ClaimSort.UpdatedDesc or ClaimSort.UpdatedAsc => last.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ClaimSort.OccurredAsc => (last.OccurredOn ?? DateOnly.MaxValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => (last.OccurredOn ?? DateOnly.MinValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        return new Page<ClaimResponse>(rows, new Cursor(Word(filter.Sort), key, last.Id).Encode());
    }

    /// <summary>
    /// The query of one page in any order but relevance. One row more than asked tells whether another page exists,
    /// without a COUNT.
    /// </summary>
    public static IQueryable<ClaimResponse> PageQuery(IQueryable<Claim> claims, ClaimFilter filter) =>
        Ordered(claims, filter).Select(ClaimProjections.ToResponse).Take(filter.Limit + 1);

    /// <summary><paramref name="claims"/> in the filter's order, strictly after its cursor.</summary>
    public static IQueryable<Claim> Ordered(IQueryable<Claim> claims, ClaimFilter filter)
    {
        if (filter.Sort == ClaimSort.Relevance) return ByRelevance(claims, filter, ClaimSearch.Rank(SearchOf(filter)));
        var cursorId = filter.Cursor?.Id ?? Guid.Empty;
        return filter.Sort switch
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
    }

    /// <summary>
    /// The query of one relevance page: best match first, then newest id, strictly after the cursor's (rank, id), one row
    /// more than the limit. The rank is one expression in SELECT, WHERE and ORDER BY, so its values agree to the bit.
    /// </summary>
    public static IQueryable<RankedClaim> RelevancePage(IQueryable<Claim> claims, ClaimFilter filter)
    {
        var rank = ClaimSearch.Rank(SearchOf(filter));
        return ByRelevance(claims, filter, rank)
            .Select(ClaimSearch.Combine(ClaimProjections.ToResponse, rank, (claim, r) => new RankedClaim(claim, r)))
            .Take(filter.Limit + 1);
    }

    private static IQueryable<Claim> ByRelevance(IQueryable<Claim> claims, ClaimFilter filter, Expression<Func<Claim, float>> rank)
    {
        if (filter.Cursor is { } cursor && TryParseRank(cursor.Key, out var rankOfLast))
        {
            var (afterRank, afterId) = (rankOfLast, cursor.Id);
            claims = claims.Where(ClaimSearch.Combine(c => c.Id, rank,
                (id, r) => EF.Functions.LessThan(ValueTuple.Create(r, id), ValueTuple.Create(afterRank, afterId))));
        }
        return claims.OrderByDescending(rank).ThenByDescending(c => c.Id);
    }

    private static SearchTerms SearchOf(ClaimFilter filter) =>
        filter.Search ?? throw new ArgumentException("sort=relevance needs a search (q).", nameof(filter));

    private static async Task<Page<ClaimResponse>> PageByRelevanceAsync(
        IQueryable<Claim> claims, ClaimFilter filter, CancellationToken cancellationToken)
    {
        var rows = await RelevancePage(claims, filter).ToListAsync(cancellationToken);
        if (rows.Count <= filter.Limit) return new Page<ClaimResponse>(rows.ConvertAll(r => r.Claim), null);

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        var key = last.Rank.ToString("R", CultureInfo.InvariantCulture);
        var next = new Cursor(Word(ClaimSort.Relevance), key, last.Claim.Id).Encode();
        return new Page<ClaimResponse>(rows.ConvertAll(r => r.Claim), next);
    }

    private static string Word(ClaimSort sort) => Words.First(p => p.Value == sort).Key;

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

    private static bool TryParseRank(string key, out float rank) =>
        float.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out rank) && float.IsFinite(rank) && rank >= 0;

    private static bool TryParseDate(string key, out DateOnly on) =>
        DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out on);
}
