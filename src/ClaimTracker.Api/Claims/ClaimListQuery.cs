using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;

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
    [property: FromQuery(Name = "cursor")] string? Cursor)
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
