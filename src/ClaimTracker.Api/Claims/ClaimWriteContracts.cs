using System.ComponentModel.DataAnnotations;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// A new claim. `subject` and `claimant` are entity ids or slugs, `partOf` a claim id or slug. `quantity` is required
/// for (and only for) `kind: quantity`; `occurredOn` (with `datePrecision`, default `day`) for (and only for) `kind: event`.
/// `statements` gives the statement in other languages by BCP 47 tag (`{ "it": "…" }`); its `en`, if sent, must equal
/// `statement`, the canonical English. `notDuplicateOf` (ids or slugs) creates it although the matcher calls it a duplicate
/// of one of those claims (the decision is recorded). Also the shape a merge patch of `PATCH /claims/{idOrSlug}` applies to.
/// </summary>
public sealed record CreateClaimRequest(
    [property: Required] string Slug, [property: Required] string Statement, [property: Required] ClaimKind? Kind,
    [property: Required] string Subject, string? Claimant, IReadOnlyList<string>? Tags,
    string? PartOf, QuantityRequest? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision,
    IReadOnlyDictionary<string, string?>? Statements = null, IReadOnlyList<string>? NotDuplicateOf = null);

/// <summary>The figures of a `quantity` claim: `lowerBound` ≤ `amount` ≤ `upperBound` when the bounds are given.</summary>
public sealed record QuantityRequest(
    [property: Required] decimal? Amount, [property: Required] string Unit, bool? Approximate, string? Period, string? Scope, decimal? LowerBound, decimal? UpperBound);

/// <summary>A claim's editable fields once validated: trimmed, tags deduplicated, defaults applied; references not yet resolved.</summary>
public sealed record ClaimFields(
    string Slug, string Statement, ClaimKind Kind, string Subject, string? Claimant, List<string> Tags, string? PartOf,
    Quantity? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision, Dictionary<string, string> Translations);

/// <summary>The ids that a claim's `subject`, `claimant` and `partOf` resolved to.</summary>
public sealed record ClaimReferences(Guid SubjectId, Guid? ClaimantId, Guid? PartOfId);

public static class ClaimWriteMapping
{
    /// <summary>A stored claim in the shape of a create request: what a merge patch is applied to.</summary>
    public static CreateClaimRequest ToRequest(this Claim claim) => new(
        claim.Slug, claim.Statement, claim.Kind, claim.SubjectId.ToString(), claim.ClaimantId?.ToString(), claim.Tags,
        claim.PartOfId?.ToString(),
        claim.Quantity is { } q ? new QuantityRequest(q.Amount, q.Unit, q.Approximate, q.Period, q.Scope, q.LowerBound, q.UpperBound) : null,
        claim.OccurredOn, claim.DatePrecision,
        ClaimLanguages.All(claim.Statement, claim.Translations).ToDictionary(t => t.Key, string? (t) => t.Value));

    /// <summary>Writes validated fields onto a claim, leaving unchanged values untouched so that EF Core sees no change.</summary>
    public static void Apply(this Claim claim, ClaimFields fields, ClaimReferences references)
    {
        claim.Slug = fields.Slug;
        claim.Statement = fields.Statement;
        var sameTranslations = claim.Translations.Count == fields.Translations.Count
                               && claim.Translations.All(t => fields.Translations.TryGetValue(t.Key, out var text) && text == t.Value);
        if (!sameTranslations) claim.Translations = fields.Translations;
        claim.Kind = fields.Kind;
        claim.SubjectId = references.SubjectId;
        claim.ClaimantId = references.ClaimantId;
        claim.PartOfId = references.PartOfId;
        if (!claim.Tags.SequenceEqual(fields.Tags)) claim.Tags = fields.Tags;
        claim.OccurredOn = fields.OccurredOn;
        claim.DatePrecision = fields.DatePrecision;
        if (fields.Quantity is not { } q || claim.Quantity is null)
        {
            claim.Quantity = fields.Quantity;
            return;
        }
        // Updated in place: a new owned instance would count as a change even with equal figures.
        (claim.Quantity.Amount, claim.Quantity.Unit, claim.Quantity.Approximate) = (q.Amount, q.Unit, q.Approximate);
        (claim.Quantity.Period, claim.Quantity.Scope) = (q.Period, q.Scope);
        (claim.Quantity.LowerBound, claim.Quantity.UpperBound) = (q.LowerBound, q.UpperBound);
    }
}
