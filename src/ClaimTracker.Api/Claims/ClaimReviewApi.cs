using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Text.Json.Serialization;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Claims;

/// <summary>A schema.org `ClaimReview` (JSON-LD): the newsroom's verdict on one claim, for search engines and fact-check feeds.</summary>
public sealed record ClaimReviewResponse(
    [property: JsonPropertyName("@context")] string Context,
    [property: JsonPropertyName("@type")] string Type,
    string Url, string ClaimReviewed, ReviewRating ReviewRating, ReviewedClaim ItemReviewed, DateOnly DatePublished,
    SchemaAgent Author,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReviewBody);

/// <summary>schema.org `Rating`: 1 (false) to 5 (true), with the verdict's name in `alternateName`.</summary>
public sealed record ReviewRating(
    [property: JsonPropertyName("@type")] string Type, int RatingValue, int BestRating, int WorstRating, string AlternateName);

/// <summary>schema.org `Claim`: who made it and where it appeared.</summary>
public sealed record ReviewedClaim(
    [property: JsonPropertyName("@type")] string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SchemaAgent? Author,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? DatePublished,
    IReadOnlyList<CreativeWork> Appearance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CreativeWork? FirstAppearance);

/// <summary>schema.org `Organization` or `Person`.</summary>
public sealed record SchemaAgent(
    [property: JsonPropertyName("@type")] string Type, string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url);

/// <summary>schema.org `CreativeWork`: a source that carries the claim.</summary>
public sealed record CreativeWork(
    [property: JsonPropertyName("@type")] string Type, string Url, string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? DatePublished);

/// <summary>The facts of one claim that its ClaimReview is built from (<see cref="ClaimReviewApi.ToFacts"/>).</summary>
public sealed record ClaimReviewFacts(
    Guid Id, string Slug, string Statement, ClaimStatus Status, string? StatusReason, DateTimeOffset ChangedAt,
    ClaimReviewClaimant? Claimant, IReadOnlyList<ClaimReviewSource> Sources);

/// <summary>Who made the claim, for `itemReviewed.author`.</summary>
public sealed record ClaimReviewClaimant(string Name, EntityKind Kind);

/// <summary>A source that makes, relays or retracts the claim, for `itemReviewed.appearance`.</summary>
public sealed record ClaimReviewSource(string? Url, string Title, DateTimeOffset? PublishedAt, DateTimeOffset CreatedAt);

/// <summary>
/// Configuration `ClaimReview`: the newsroom publishing the reviews (`PublisherName`, `PublisherUrl`) and where a claim's
/// public page is (`ClaimUrlTemplate` with `{slug}` or `{id}`; without one, the claim's page this API serves).
/// </summary>
public sealed class ClaimReviewOptions : IValidatableObject
{
    public const string Section = "ClaimReview";

    public string PublisherName { get; set; } = ClaimReviewApi.DefaultPublisherName;

    public string? PublisherUrl { get; set; }

    public string? ClaimUrlTemplate { get; set; }

    /// <summary>The most reviews one `POST /imports/claimreview` takes (413 past it); the command line takes any number.</summary>
    public int ImportMaxItems { get; set; } = 200;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ImportMaxItems < 1) yield return new ValidationResult($"ClaimReview:ImportMaxItems must be at least 1, not {ImportMaxItems}.");
        if (!string.IsNullOrWhiteSpace(PublisherUrl) && !Uri.TryCreate(PublisherUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"ClaimReview:PublisherUrl must be an absolute URL, not '{PublisherUrl}'.");
        }
        if (!string.IsNullOrWhiteSpace(ClaimUrlTemplate)
            && (!ClaimUrlTemplate.Contains("{slug}", StringComparison.Ordinal) && !ClaimUrlTemplate.Contains("{id}", StringComparison.Ordinal)
                || !Uri.TryCreate(ClaimUrlTemplate.Replace("{slug}", "s", StringComparison.Ordinal).Replace("{id}", "i", StringComparison.Ordinal), UriKind.Absolute, out _)))
        {
            yield return new ValidationResult(
                $"ClaimReview:ClaimUrlTemplate must be an absolute URL with {{slug}} or {{id}}, e.g. https://factcheck.example/claims/{{slug}}, not '{ClaimUrlTemplate}'.");
        }
    }
}

public static class ClaimReviewApi
{
    public const string MediaType = "application/ld+json";
    public const string NotReviewedType = "/problems/not-reviewed";
    public const string DefaultPublisherName = "ClaimTracker";

    public static void AddClaimTrackerClaimReview(this IHostApplicationBuilder builder) =>
        builder.Services.AddValidatedSettings<ClaimReviewOptions>(ClaimReviewOptions.Section);

    public static RouteGroupBuilder MapClaimReview(this RouteGroupBuilder claims)
    {
        claims.MapGet("/{idOrSlug}/claimreview", GetClaimReview)
            .WithName("GetClaimReview")
            .WithSummary("Get a claim's verdict as schema.org ClaimReview (JSON-LD)")
            .WithDescription("`application/ld+json` for fact-check markup: `claimReviewed` is the statement, `reviewRating` the " +
                             "status on schema.org's 1–5 scale (confirmed 5 True; disputed 3 Disputed; inconclusive 3 Unproven; " +
                             "refuted 1 False; retracted 1 Retracted), `itemReviewed` the claim with its claimant as `author` and " +
                             "the URLs of the sources that assert, report or retract it as `appearance` (earliest published " +
                             "first: `firstAppearance`), `datePublished` the day of the last status change, `author` the " +
                             "publishing newsroom (configuration `ClaimReview:PublisherName`/`PublisherUrl`). 409 while the " +
                             "claim is `unverified` or `in_review`. e.g. `bytedance-ai-chips-budget-2025` is rated 3, Disputed.")
            .Produces<ClaimReviewResponse>(StatusCodes.Status200OK, MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return claims;
    }

    internal static async Task<Results<JsonHttpResult<ClaimReviewResponse>, ProblemHttpResult>> GetClaimReview(
        string idOrSlug, ClaimTrackerDbContext db, HttpContext http, IOptions<ClaimReviewOptions> options, CancellationToken cancellationToken)
    {
        var claim = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug).Select(ToFacts).FirstOrDefaultAsync(cancellationToken);
        if (claim is null) return ClaimLookup.NotFound(idOrSlug);
        if (Build(claim, http.Request, options.Value) is not { } review)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: NotReviewedType,
                title: "The claim has not been reviewed yet",
                detail: $"'{claim.Slug}' is {Http.EnumWords.ToWord(claim.Status)}: a ClaimReview exists once it is confirmed, " +
                        "disputed, inconclusive, refuted or retracted.");
        }
        return TypedResults.Json(review, contentType: MediaType);
    }

    /// <summary>What a claim's ClaimReview is built from, read in one query (`db.Claims.Select(ToFacts)`).</summary>
    public static readonly Expression<Func<Claim, ClaimReviewFacts>> ToFacts = c => new ClaimReviewFacts(
        c.Id, c.Slug, c.Statement, c.Status, c.StatusReason, c.StatusChangedAt ?? c.UpdatedAt,
        c.Claimant == null ? null : new ClaimReviewClaimant(c.Claimant.Name, c.Claimant.Kind),
        // Where the claim is made or relayed; sources that support, dispute or deny it are evidence, not appearances.
        c.Appearances
            .Where(a => a.Stance == Stance.Asserts || a.Stance == Stance.Reports || a.Stance == Stance.Retracts)
            .Select(a => new ClaimReviewSource(a.Source.Url, a.Source.Title, a.Source.PublishedAt, a.CreatedAt))
            .ToList());

    /// <summary>
    /// The claim's ClaimReview, as `GET /claims/{idOrSlug}/claimreview` and `GET /claimreview/feed` serve it; null while the
    /// claim is not reviewed (`unverified`, `in_review`). <paramref name="request"/> gives the claim's URL when
    /// `ClaimReview:ClaimUrlTemplate` is not set.
    /// </summary>
    public static ClaimReviewResponse? Build(ClaimReviewFacts claim, HttpRequest request, ClaimReviewOptions settings)
    {
        if (ClaimStatusRules.RatingOf(claim.Status) is not { } rating) return null;

        var appearances = claim.Sources
            .Where(s => s.Url is not null)
            .OrderBy(s => s.PublishedAt ?? DateTimeOffset.MaxValue).ThenBy(s => s.CreatedAt)
            .DistinctBy(s => s.Url)
            .Select(s => new CreativeWork("CreativeWork", s.Url!, s.Title, DateOf(s.PublishedAt)))
            .ToList();
        var firstPublished = claim.Sources.Min(s => s.PublishedAt);
        var author = claim.Claimant is null ? null
            : new SchemaAgent(claim.Claimant.Kind == EntityKind.Person ? "Person" : "Organization", claim.Claimant.Name, null);

        return new ClaimReviewResponse(
            "https://schema.org", "ClaimReview", ClaimUrl(request, settings, claim.Id, claim.Slug), claim.Statement,
            new ReviewRating("Rating", rating.Value, ReviewRatingValue.Best, ReviewRatingValue.Worst, rating.Name),
            new ReviewedClaim("Claim", author, DateOf(firstPublished), appearances, appearances.FirstOrDefault()),
            DateOnly.FromDateTime(claim.ChangedAt.UtcDateTime),
            new SchemaAgent("Organization", NonEmpty(settings.PublisherName) ?? DefaultPublisherName, NonEmpty(settings.PublisherUrl)),
            claim.StatusReason);
    }

    /// <summary>`ClaimReview:ClaimUrlTemplate` with `{slug}` and `{id}` filled in; without one, the claim's page in this API (`/claims/{slug}`, HTML).</summary>
    private static string ClaimUrl(HttpRequest request, ClaimReviewOptions settings, Guid id, string slug)
    {
        var template = NonEmpty(settings.ClaimUrlTemplate);
        var escaped = Uri.EscapeDataString(slug);
        if (template is not null) return template.Replace("{slug}", escaped, StringComparison.Ordinal).Replace("{id}", id.ToString(), StringComparison.Ordinal);
        return $"{request.Scheme}://{request.Host}{request.PathBase}/claims/{escaped}";
    }

    private static DateOnly? DateOf(DateTimeOffset? time) => time is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
