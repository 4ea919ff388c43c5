using System.Globalization;
using System.Linq.Expressions;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

/// <summary>The query string of `GET /claims` (and of the other claim lists), as sent.</summary>
public sealed record ClaimListQuery(
    [property: FromQuery(Name = "status")] string[]? Status,
    [property: FromQuery(Name = "subject")] string? Subject,
    [property: FromQuery(Name = "claimant")] string? Claimant,
    [property: FromQuery(Name = "source")] string? Source,
    [property: FromQuery(Name = "kind")] string? Kind,
    [property: FromQuery(Name = "tag")] string? Tag,
    [property: FromQuery(Name = "partOf")] string? PartOf,
    [property: FromQuery(Name = "occurredFrom")] string? OccurredFrom,
    [property: FromQuery(Name = "occurredTo")] string? OccurredTo,
    [property: FromQuery(Name = "updatedSince")] string? UpdatedSince,
    [property: FromQuery(Name = "q")] string? Q,
    [property: FromQuery(Name = "sort")] string? Sort,
    [property: FromQuery(Name = "limit")] string? Limit,
    [property: FromQuery(Name = "cursor")] string? Cursor,
    [property: FromQuery(Name = "lang")] string? Lang)
{
    /// <summary>Parses every parameter; each bad one is named in <paramref name="errors"/>.</summary>
    public ClaimFilter Parse(ValidationErrors errors)
    {
        var statuses = (Status ?? []).Select(s => errors.Enum<ClaimStatus>("status", s)).OfType<ClaimStatus>().ToArray();
        Guid? source = null;
        if (Source is not null)
        {
            if (Guid.TryParse(Source, out var id)) source = id;
            else errors.Add("source", $"'{Source}' is not a source id (a UUID).");
        }
        var search = ClaimSearch.Parse(Q, errors);
        var sort = ClaimSorts.Parse(Sort ?? ClaimSorts.Default, errors);
        if (sort == ClaimSort.Relevance && Q is null) errors.Add("sort", "sort=relevance needs q: it orders by how well each claim matches the search.");
        var after = Keyset.Decode(Cursor, Sort ?? ClaimSorts.Default, ClaimSorts.KeyParser(sort), errors);
        foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[("subject", Subject), ("claimant", Claimant), ("partOf", PartOf), ("tag", Tag)])
        {
            if (value is { Length: 0 or > 200 }) errors.Add(name, $"{name} must be 1 to 200 characters.");
        }

        return new ClaimFilter(
            statuses, Subject, Claimant, source, errors.Enum<ClaimKind>("kind", Kind), Tag, PartOf,
            errors.Date("occurredFrom", OccurredFrom), errors.Date("occurredTo", OccurredTo),
            errors.Time("updatedSince", UpdatedSince), sort, errors.Limit(Limit), after, search);
    }
}

/// <summary>Parsed and validated filters, search (`q`), sort and page position.</summary>
public sealed record ClaimFilter(
    IReadOnlyList<ClaimStatus> Statuses, string? Subject, string? Claimant, Guid? Source, ClaimKind? Kind, string? Tag,
    string? PartOf, DateOnly? OccurredFrom, DateOnly? OccurredTo, DateTimeOffset? UpdatedSince,
    ClaimSort Sort, int Limit, After<ClaimSortKey>? After, SearchTerms? Search = null)
{
    public IQueryable<Claim> Apply(IQueryable<Claim> claims)
    {
        if (Statuses.Count == 1)
        {
            // An equality, not `= ANY(array)`: a prepared `= ANY` plan may skip the (status, updated_at, id) index (benchmark T3).
            var status = Statuses[0];
            claims = claims.Where(c => c.Status == status);
        }
        else if (Statuses.Count > 1)
        {
            claims = claims.Where(c => Statuses.Contains(c.Status));
        }
        if (Subject is not null)
        {
            claims = Guid.TryParse(Subject, out var id) ? claims.Where(c => c.SubjectId == id) : claims.Where(c => c.Subject.Slug == Subject);
        }
        if (Claimant is not null)
        {
            claims = Guid.TryParse(Claimant, out var id) ? claims.Where(c => c.ClaimantId == id) : claims.Where(c => c.Claimant!.Slug == Claimant);
        }
        if (PartOf is not null)
        {
            claims = Guid.TryParse(PartOf, out var id) ? claims.Where(c => c.PartOfId == id) : claims.Where(c => c.PartOf!.Slug == PartOf);
        }
        if (Source is { } source) claims = claims.Where(c => c.Appearances.Any(a => a.SourceId == source));
        if (Kind is { } kind) claims = claims.Where(c => c.Kind == kind);
        if (Tag is not null) claims = claims.Where(c => c.Tags.Contains(Tag));
        if (OccurredFrom is { } from) claims = claims.Where(c => c.OccurredOn >= from);
        if (OccurredTo is { } to) claims = claims.Where(c => c.OccurredOn <= to);
        if (UpdatedSince is { } since) claims = claims.Where(c => c.UpdatedAt >= since);
        if (Search is { } search) claims = claims.Matching(search);
        return claims;
    }
}

public enum ClaimSort { UpdatedDesc, UpdatedAsc, OccurredAsc, OccurredDesc, Relevance }

/// <summary>A list row with the rank it was ordered by (the next page's cursor starts after it).</summary>
public sealed record RankedClaim(ClaimResponse Claim, float Rank);

/// <summary>The sort key of a claim page's last row: the one field its sort orders by (the others stay default).</summary>
public readonly record struct ClaimSortKey(DateTimeOffset At = default, DateOnly On = default, float Rank = default);

/// <summary>
/// Sort orders of claim lists and their keyset pagination (<see cref="Keyset"/>): each page continues strictly after the
/// last row's (sort key, id). Claims without a date sort after dated ones in both `occurred` orders. `relevance` (only with `q`) is best match
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

    /// <summary>Reads the key of a <paramref name="sort"/> cursor: the one field its rows are ordered by.</summary>
    public static SortKeyParser<ClaimSortKey> KeyParser(ClaimSort sort) => (string text, out ClaimSortKey key) =>
    {
        key = default;
        switch (sort)
        {
            case ClaimSort.UpdatedDesc or ClaimSort.UpdatedAsc:
                if (!DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return false;
                key = new ClaimSortKey(At: at);
                return true;
            case ClaimSort.Relevance:
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rank) || !float.IsFinite(rank) || rank < 0) return false;
                key = new ClaimSortKey(Rank: rank);
                return true;
            default:
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on)) return false;
                key = new ClaimSortKey(On: on);
                return true;
        }
    };

    /// <summary>One page of <paramref name="claims"/> (already filtered) in the filter's order, after its cursor.</summary>
    public static Task<Page<ClaimResponse>> PageAsync(IQueryable<Claim> claims, ClaimFilter filter, CancellationToken cancellationToken)
    {
        var sort = Word(filter.Sort);
        if (filter.Sort == ClaimSort.Relevance)
        {
            return Keyset.PageAsync(RankedRows(claims, filter), filter.Limit, sort,
                row => (row.Rank.ToString("R", CultureInfo.InvariantCulture), row.Claim.Id), row => row.Claim, cancellationToken);
        }
        return Keyset.PageAsync(Rows(claims, filter), filter.Limit, sort, row => (filter.Sort switch
        {
            ClaimSort.UpdatedDesc or ClaimSort.UpdatedAsc => row.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ClaimSort.OccurredAsc => (row.OccurredOn ?? DateOnly.MaxValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => (row.OccurredOn ?? DateOnly.MinValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, row.Id), cancellationToken);
    }

    /// <summary>The SQL of one page in any order but relevance, as <see cref="PageAsync"/> sends it.</summary>
    public static IQueryable<ClaimResponse> PageQuery(IQueryable<Claim> claims, ClaimFilter filter) =>
        Rows(claims, filter).PageRows(filter.Limit);

    /// <summary>The SQL of one relevance page, as <see cref="PageAsync"/> sends it.</summary>
    public static IQueryable<RankedClaim> RelevancePage(IQueryable<Claim> claims, ClaimFilter filter) =>
        RankedRows(claims, filter).PageRows(filter.Limit);

    private static IQueryable<ClaimResponse> Rows(IQueryable<Claim> claims, ClaimFilter filter) =>
        Ordered(claims, filter).Select(ClaimProjections.ToResponse);

    /// <summary>
    /// Relevance rows: best match first, then newest id, strictly after the cursor's (rank, id). The rank is one
    /// expression in SELECT, WHERE and ORDER BY, so its values agree to the bit.
    /// </summary>
    private static IQueryable<RankedClaim> RankedRows(IQueryable<Claim> claims, ClaimFilter filter)
    {
        var rank = ClaimSearch.Rank(SearchOf(filter));
        return ByRelevance(claims, filter, rank)
            .Select(ClaimProjections.Combine(ClaimProjections.ToResponse, rank, (claim, r) => new RankedClaim(claim, r)));
    }

    /// <summary><paramref name="claims"/> in the filter's order, strictly after its cursor.</summary>
    public static IQueryable<Claim> Ordered(IQueryable<Claim> claims, ClaimFilter filter)
    {
        if (filter.Sort == ClaimSort.Relevance) return ByRelevance(claims, filter, ClaimSearch.Rank(SearchOf(filter)));
        if (filter.After is not { } after)
        {
            return filter.Sort switch
            {
                ClaimSort.UpdatedDesc => claims.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
                ClaimSort.UpdatedAsc => claims.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
                ClaimSort.OccurredAsc => claims.OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id),
                _ => claims.OrderByDescending(c => c.OccurredOn ?? DateOnly.MinValue).ThenByDescending(c => c.Id),
            };
        }
        var (at, on, id) = (after.Key.At, after.Key.On, after.Id);
        return filter.Sort switch
        {
            ClaimSort.UpdatedDesc => claims.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.UpdatedAt, c.Id), ValueTuple.Create(at, id)))
                .OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
            ClaimSort.UpdatedAsc => claims.Where(c => EF.Functions.GreaterThan(ValueTuple.Create(c.UpdatedAt, c.Id), ValueTuple.Create(at, id)))
                .OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
            ClaimSort.OccurredAsc => claims.Where(c => EF.Functions.GreaterThan(ValueTuple.Create(c.OccurredOn ?? DateOnly.MaxValue, c.Id), ValueTuple.Create(on, id)))
                .OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id),
            _ => claims.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.OccurredOn ?? DateOnly.MinValue, c.Id), ValueTuple.Create(on, id)))
                .OrderByDescending(c => c.OccurredOn ?? DateOnly.MinValue).ThenByDescending(c => c.Id),
        };
    }

    private static IQueryable<Claim> ByRelevance(IQueryable<Claim> claims, ClaimFilter filter, Expression<Func<Claim, float>> rank)
    {
        if (filter.After is { } after)
        {
            var (afterRank, afterId) = (after.Key.Rank, after.Id);
            claims = claims.Where(ClaimProjections.Combine(c => c.Id, rank,
                (id, r) => EF.Functions.LessThan(ValueTuple.Create(r, id), ValueTuple.Create(afterRank, afterId))));
        }
        return claims.OrderByDescending(rank).ThenByDescending(c => c.Id);
    }

    private static SearchTerms SearchOf(ClaimFilter filter) =>
        filter.Search ?? throw new ArgumentException("sort=relevance needs a search (q).", nameof(filter));

    /// <summary>The word of <paramref name="sort"/> in `sort=` and in its cursors.</summary>
    public static string Word(ClaimSort sort) => Words.First(p => p.Value == sort).Key;
}
