using System.Linq.Expressions;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Sources;
using Microsoft.EntityFrameworkCore.Query;

namespace ClaimTracker.Api.Claims;

/// <summary>A reference to an entity: enough to show and link it.</summary>
public sealed record EntityRef(Guid Id, string Slug, string Name);

/// <summary>A reference to a claim: enough to show and link it.</summary>
public sealed record ClaimRef(Guid Id, string Slug, string Statement);

/// <summary>A source as shown beside an appearance.</summary>
public sealed record SourceSummary(Guid Id, SourceKind Kind, string Title, string? Url, string? Publisher);

/// <summary>A quote's selectors: `exact`, `prefix`/`suffix` (up to 32 characters), and `[start, end)` in UTF-16 code units.</summary>
public sealed record QuoteResponse(string Exact, string? Prefix, string? Suffix, int? Start, int? End, AnchorState Anchor);

/// <summary>A claim appearing in a source, with the source's stance and the quote.</summary>
public sealed record AppearanceResponse(Guid Id, Stance Stance, SourceSummary Source, QuoteResponse Quote);

/// <summary>The figures of a `quantity` claim.</summary>
public sealed record QuantityResponse(
    decimal Amount, string Unit, bool Approximate, string? Period, string? Scope, decimal? LowerBound, decimal? UpperBound);

/// <summary>
/// A claim as list endpoints return it. `statement` is in the reader's language (`Content-Language` names it);
/// `statements` holds every language's, by BCP 47 tag, `en` (the canonical statement) first.
/// </summary>
public sealed record ClaimResponse(
    Guid Id, string Slug, string Statement, IReadOnlyDictionary<string, string> Statements, ClaimKind Kind, EntityRef Subject, EntityRef? Claimant,
    QuantityResponse? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision, ClaimRef? PartOf,
    IReadOnlyList<string> Tags, ClaimStatus Status, string? StatusReason, DateTimeOffset? StatusChangedAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// A claim with its parts and appearances, as `GET /claims/{idOrSlug}` returns it; `duplicateOf` names the claim an
/// editor confirmed this one duplicates (`PUT /claims/{idOrSlug}/links/{other}`), else null.
/// </summary>
public sealed record ClaimDetailResponse(
    Guid Id, string Slug, string Statement, IReadOnlyDictionary<string, string> Statements, ClaimKind Kind, EntityRef Subject, EntityRef? Claimant,
    QuantityResponse? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision, ClaimRef? PartOf,
    IReadOnlyList<ClaimRef> Parts, IReadOnlyList<string> Tags, ClaimStatus Status, string? StatusReason,
    DateTimeOffset? StatusChangedAt, IReadOnlyList<AppearanceResponse> Appearances,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, ClaimRef? DuplicateOf)
{
    /// <summary>The list item's fields with the claim's parts and appearances.</summary>
    public static ClaimDetailResponse Of(
        ClaimResponse c, IReadOnlyList<ClaimRef> parts, IReadOnlyList<AppearanceResponse> appearances, ClaimRef? duplicateOf) =>
        new(c.Id, c.Slug, c.Statement, c.Statements, c.Kind, c.Subject, c.Claimant, c.Quantity, c.OccurredOn, c.DatePrecision, c.PartOf,
            parts, c.Tags, c.Status, c.StatusReason, c.StatusChangedAt, appearances, c.CreatedAt, c.UpdatedAt, duplicateOf);
}

/// <summary>What a claim's detail adds to its list item, read in the same query.</summary>
/// <remarks>The confirmed duplicate comes as three scalars: each an index lookup on the link's key, where a navigation to
/// the claim would make EF Core number every confirmed link of the table.</remarks>
public sealed record ClaimRelatives(
    IReadOnlyList<ClaimRef> Parts, IReadOnlyList<AppearanceResponse> Appearances, uint Version,
    Guid? DuplicateOfId, string? DuplicateOfSlug, string? DuplicateOfStatement)
{
    public ClaimRef? DuplicateOf => DuplicateOfId is { } id ? new ClaimRef(id, DuplicateOfSlug!, DuplicateOfStatement!) : null;
}

/// <summary>Projections into the response records, translated by EF Core into one SQL query each.</summary>
public static class ClaimProjections
{
    /// <summary>The list item, with the translations alone in `statements`: <see cref="ClaimLanguages.Present(ClaimResponse, IReadOnlyList{string}, out string)"/> completes it.</summary>
    public static readonly Expression<Func<Claim, ClaimResponse>> ToResponse = c => new ClaimResponse(
        c.Id, c.Slug, c.Statement, c.Translations, c.Kind,
        new EntityRef(c.Subject.Id, c.Subject.Slug, c.Subject.Name),
        c.Claimant == null ? null : new EntityRef(c.Claimant.Id, c.Claimant.Slug, c.Claimant.Name),
        c.Quantity == null ? null : new QuantityResponse(c.Quantity.Amount, c.Quantity.Unit, c.Quantity.Approximate,
            c.Quantity.Period, c.Quantity.Scope, c.Quantity.LowerBound, c.Quantity.UpperBound),
        c.OccurredOn, c.DatePrecision,
        c.PartOf == null ? null : new ClaimRef(c.PartOf.Id, c.PartOf.Slug, c.PartOf.Statement),
        c.Tags, c.Status, c.StatusReason, c.StatusChangedAt, c.CreatedAt, c.UpdatedAt);

    /// <summary>
    /// The list item's projection with the parts, appearances and version beside it, in one query: the response is put
    /// together from the two as the rows arrive (<see cref="ClaimDetailResponse.Of"/>).
    /// </summary>
    public static readonly Expression<Func<Claim, Versioned<ClaimDetailResponse>>> ToDetail = Combine(ToResponse,
        c => new ClaimRelatives(
            c.Parts.OrderBy(p => p.Slug).Select(p => new ClaimRef(p.Id, p.Slug, p.Statement)).ToList(),
            c.Appearances.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => new AppearanceResponse(
                a.Id, a.Stance,
                new SourceSummary(a.Source.Id, a.Source.Kind, a.Source.Title, a.Source.Url, a.Source.Publisher),
                new QuoteResponse(a.Quote.Exact, a.Quote.Prefix, a.Quote.Suffix, a.Quote.Start, a.Quote.End, a.Quote.Anchor)))
                .ToList(),
            c.Version,
            c.Links.Where(l => l.Relation == LinkRelation.Duplicate && l.State == LinkState.Confirmed).Select(l => (Guid?)l.OtherId).FirstOrDefault(),
            c.Links.Where(l => l.Relation == LinkRelation.Duplicate && l.State == LinkState.Confirmed).Select(l => l.Other.Slug).FirstOrDefault(),
            c.Links.Where(l => l.Relation == LinkRelation.Duplicate && l.State == LinkState.Confirmed).Select(l => l.Other.Statement).FirstOrDefault()),
        (claim, relatives) => Detail(claim, relatives));

    private static Versioned<ClaimDetailResponse> Detail(ClaimResponse claim, ClaimRelatives relatives) =>
        new(ClaimDetailResponse.Of(claim, relatives.Parts, relatives.Appearances, relatives.DuplicateOf), relatives.Version);

    /// <summary>
    /// Builds `c => combine(first(c), second(c))` as one expression tree for EF Core to translate, so that a part written
    /// once (the tsquery, the rank, the response projection) can be used inside another.
    /// </summary>
    public static Expression<Func<Claim, TResult>> Combine<T1, T2, TResult>(
        Expression<Func<Claim, T1>> first, Expression<Func<Claim, T2>> second, Expression<Func<T1, T2, TResult>> combine)
    {
        var claim = first.Parameters[0];
        var secondBody = ReplacingExpressionVisitor.Replace(second.Parameters[0], claim, second.Body);
        var body = new ReplacingExpressionVisitor([combine.Parameters[0], combine.Parameters[1]], [first.Body, secondBody])
            .Visit(combine.Body);
        return Expression.Lambda<Func<Claim, TResult>>(body, claim);
    }
}
