using System.Linq.Expressions;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Sources;

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

/// <summary>A claim as list endpoints return it.</summary>
public sealed record ClaimResponse(
    Guid Id, string Slug, string Statement, ClaimKind Kind, EntityRef Subject, EntityRef? Claimant,
    QuantityResponse? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision, ClaimRef? PartOf,
    IReadOnlyList<string> Tags, ClaimStatus Status, string? StatusReason, DateTimeOffset? StatusChangedAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A claim with its parts and appearances, as `GET /claims/{idOrSlug}` returns it.</summary>
public sealed record ClaimDetailResponse(
    Guid Id, string Slug, string Statement, ClaimKind Kind, EntityRef Subject, EntityRef? Claimant,
    QuantityResponse? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision, ClaimRef? PartOf,
    IReadOnlyList<ClaimRef> Parts, IReadOnlyList<string> Tags, ClaimStatus Status, string? StatusReason,
    DateTimeOffset? StatusChangedAt, IReadOnlyList<AppearanceResponse> Appearances,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Projections into the response records, translated by EF Core into one SQL query each.</summary>
public static class ClaimProjections
{
    public static readonly Expression<Func<Claim, ClaimResponse>> ToResponse = c => new ClaimResponse(
        c.Id, c.Slug, c.Statement, c.Kind,
        new EntityRef(c.Subject.Id, c.Subject.Slug, c.Subject.Name),
        c.Claimant == null ? null : new EntityRef(c.Claimant.Id, c.Claimant.Slug, c.Claimant.Name),
        c.Quantity == null ? null : new QuantityResponse(c.Quantity.Amount, c.Quantity.Unit, c.Quantity.Approximate,
            c.Quantity.Period, c.Quantity.Scope, c.Quantity.LowerBound, c.Quantity.UpperBound),
        c.OccurredOn, c.DatePrecision,
        c.PartOf == null ? null : new ClaimRef(c.PartOf.Id, c.PartOf.Slug, c.PartOf.Statement),
        c.Tags, c.Status, c.StatusReason, c.StatusChangedAt, c.CreatedAt, c.UpdatedAt);

    public static readonly Expression<Func<Claim, Versioned<ClaimDetailResponse>>> ToDetail = c => new Versioned<ClaimDetailResponse>(new ClaimDetailResponse(
        c.Id, c.Slug, c.Statement, c.Kind,
        new EntityRef(c.Subject.Id, c.Subject.Slug, c.Subject.Name),
        c.Claimant == null ? null : new EntityRef(c.Claimant.Id, c.Claimant.Slug, c.Claimant.Name),
        c.Quantity == null ? null : new QuantityResponse(c.Quantity.Amount, c.Quantity.Unit, c.Quantity.Approximate,
            c.Quantity.Period, c.Quantity.Scope, c.Quantity.LowerBound, c.Quantity.UpperBound),
        c.OccurredOn, c.DatePrecision,
        c.PartOf == null ? null : new ClaimRef(c.PartOf.Id, c.PartOf.Slug, c.PartOf.Statement),
        c.Parts.OrderBy(p => p.Slug).Select(p => new ClaimRef(p.Id, p.Slug, p.Statement)).ToList(),
        c.Tags, c.Status, c.StatusReason, c.StatusChangedAt,
        c.Appearances.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => new AppearanceResponse(
            a.Id, a.Stance,
            new SourceSummary(a.Source.Id, a.Source.Kind, a.Source.Title, a.Source.Url, a.Source.Publisher),
            new QuoteResponse(a.Quote.Exact, a.Quote.Prefix, a.Quote.Suffix, a.Quote.Start, a.Quote.End, a.Quote.Anchor)))
            .ToList(),
        c.CreatedAt, c.UpdatedAt), c.Version);
}
