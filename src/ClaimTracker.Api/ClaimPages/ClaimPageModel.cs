using System.Text.Encodings.Web;
using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>An appearance as the page shows it: the source's facts beside the quote in its context.</summary>
public sealed record AppearanceView(AppearanceResponse Appearance, string? SourceLanguage, DateTimeOffset? PublishedAt, QuoteInContext Quote);

/// <summary>
/// Everything the claim page shows: the claim in the reader's <see cref="Language"/>, its history with the chain's
/// verdict on it, its appearances, its figures (a total and its parts) and, once it is reviewed, its ClaimReview as
/// JSON-LD. <see cref="Root"/> is the path base that links start from.
/// </summary>
public sealed record ClaimPageModel(
    ClaimDetailResponse Claim, string Language, IReadOnlyList<StatusChange> History, ChainVerificationResponse Chain,
    bool StatusMatchesHistory, IReadOnlyList<AppearanceView> Appearances, FiguresView? Figures, string? ClaimReviewJson, string Root)
{
    public string PageUrl(string slug, string? lang = null) =>
        $"{Root}/claims/{Uri.EscapeDataString(slug)}" + (lang is null ? "" : $"?lang={Uri.EscapeDataString(lang)}");

    public string ApiUrl(string suffix = "") => $"{Root}/api/v1/claims/{Uri.EscapeDataString(Claim.Slug)}{suffix}";
}

public static class ClaimPageLoader
{
    /// <summary>
    /// JSON for inside `&lt;script type="application/ld+json"&gt;`: the API's contract, with the default encoder, which
    /// writes `&lt;`, `&gt;` and `&amp;` as `\u003C`, `\u003E` and `\u0026`, so no text in a claim can close the element
    /// (`&lt;/script&gt;`) or open a comment (`&lt;!--`) in it.
    /// </summary>
    private static readonly JsonSerializerOptions JsonLd = CreateJsonLdOptions();

    /// <summary>The page of the claim <paramref name="idOrSlug"/> names, in the reader's language; null when none does.</summary>
    public static async Task<ClaimPageModel?> LoadAsync(
        ClaimTrackerDbContext db, HttpContext http, string idOrSlug, IReadOnlyList<string> preference, CancellationToken cancellationToken)
    {
        var row = await ClaimLookup.FindDetailAsync(db, idOrSlug, cancellationToken);
        if (row is null) return null;
        var claim = ClaimLanguages.Present(row.Value, preference, out var language);

        var history = await db.StatusChanges.AsNoTracking().Where(c => c.ClaimId == claim.Id).OrderBy(c => c.Seq).ToListAsync(cancellationToken);
        var chain = await ChainVerification.VerifyClaimAsync(db, history, cancellationToken);
        // The status shown is the one the chain ends in (a claim never changed is still unverified).
        var statusMatches = claim.Status == (history.Count == 0 ? ClaimStatus.Unverified : history[^1].To);

        return new ClaimPageModel(claim, language, history, chain, statusMatches,
            await AppearancesAsync(db, claim, cancellationToken), await FiguresAsync(db, claim, cancellationToken),
            await ClaimReviewJsonAsync(db, http, claim.Id, cancellationToken), http.Request.PathBase.Value ?? "");
    }

    /// <summary>The appearances with their sources' language and date, and each anchored quote's surrounding text.</summary>
    private static async Task<IReadOnlyList<AppearanceView>> AppearancesAsync(
        ClaimTrackerDbContext db, ClaimDetailResponse claim, CancellationToken cancellationToken)
    {
        const int radius = QuoteContexts.Radius;
        // Only a window of each source's text (up to 500 000 characters) is read: the quote and the radius either side.
        var rows = await db.Appearances.AsNoTracking().Where(a => a.ClaimId == claim.Id)
            .Select(a => new
            {
                a.Id, a.Source.Language, a.Source.PublishedAt,
                Window = a.Quote.Anchor == AnchorState.Anchored && a.Source.Content != null && a.Quote.Start != null && a.Quote.End != null
                    ? a.Source.Content.Substring(
                        a.Quote.Start.Value > radius ? a.Quote.Start.Value - radius : 0,
                        a.Quote.End.Value + radius - (a.Quote.Start.Value > radius ? a.Quote.Start.Value - radius : 0))
                    : null,
            })
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        return claim.Appearances.Select(a =>
        {
            var source = rows.GetValueOrDefault(a.Id);
            var quote = QuoteContexts.Of(a.Quote, source?.Window, a.Quote.Start is { } start ? QuoteContexts.WindowStart(start) : 0);
            return new AppearanceView(a, source?.Language, source?.PublishedAt, quote);
        }).ToList();
    }

    /// <summary>The total this claim is or belongs to, with its quantity parts; null for a claim of neither.</summary>
    private static async Task<FiguresView?> FiguresAsync(ClaimTrackerDbContext db, ClaimDetailResponse claim, CancellationToken cancellationToken)
    {
        var totalId = claim.Parts.Count > 0 ? claim.Id : claim.PartOf?.Id;
        if (totalId is not { } id) return null;
        var rows = await db.Claims.AsNoTracking()
            .Where(c => (c.Id == id || c.PartOfId == id) && c.Quantity != null)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Slug) // the parts in the order they were recorded: the story's
            .Select(c => new
            {
                Ref = new ClaimRef(c.Id, c.Slug, c.Statement), c.PartOfId,
                Quantity = new QuantityResponse(c.Quantity!.Amount, c.Quantity.Unit, c.Quantity.Approximate, c.Quantity.Period,
                    c.Quantity.Scope, c.Quantity.LowerBound, c.Quantity.UpperBound),
            })
            .ToListAsync(cancellationToken);
        var total = rows.FirstOrDefault(r => r.Ref.Id == id);
        var parts = rows.Where(r => r.PartOfId == id).Select(r => new FigureRow(r.Ref, r.Quantity)).ToList();
        return total is null || parts.Count == 0 ? null : FiguresView.Of(new FigureRow(total.Ref, total.Quantity), parts);
    }

    /// <summary>
    /// The claim's ClaimReview exactly as `GET /api/v1/claims/{idOrSlug}/claimreview` builds it (its own handler), or
    /// null while that answers 409 (the claim is not reviewed yet).
    /// </summary>
    private static async Task<string?> ClaimReviewJsonAsync(ClaimTrackerDbContext db, HttpContext http, Guid id, CancellationToken cancellationToken)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<ClaimReviewOptions>>();
        var result = await ClaimReviewApi.GetClaimReview(id.ToString(), db, http, options, cancellationToken);
        return result.Result is JsonHttpResult<ClaimReviewResponse> { Value: { } review } ? JsonSerializer.Serialize(review, JsonLd) : null;
    }

    private static JsonSerializerOptions CreateJsonLdOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Default };
        HttpSetup.Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
