using System.ComponentModel.DataAnnotations;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Appearances;

/// <summary>The quote as the client knows it: `exact` text, and `prefix`/`suffix` (up to 32 characters) to pick one of several occurrences.</summary>
public sealed record QuoteRequest([property: Required] string Exact, string? Prefix, string? Suffix);

/// <summary>Where a claim appears: the source, its stance and the quote.</summary>
public sealed record AddAppearanceRequest([property: Required] Guid? SourceId, [property: Required] Stance? Stance, [property: Required] QuoteRequest? Quote);

public static class AppearancesApi
{
    public static RouteGroupBuilder MapClaimAppearances(this RouteGroupBuilder claims)
    {
        claims.MapPost("/{idOrSlug}/appearances", AddAppearance)
            .RequireAuthorization(Policies.Edit)
            .WithName("AddAppearance")
            .WithSummary("Record where a claim appears, anchoring the quote in the source's text")
            .WithDescription("The server finds `exact` in the source's content and stores its offsets and its own 32-character " +
                             "`prefix`/`suffix`. When the text occurs more than once, send the `prefix` and/or `suffix` the client " +
                             "sees around it (422 otherwise, naming the number of matches); when it does not occur, 422. Matching " +
                             "is exact, typographic quotes and apostrophes included. A source without content stores the quote " +
                             "`unanchored`, with the client's `prefix`/`suffix`. The same claim, source, stance and quote twice is " +
                             "409. Changes the claim's `ETag`. Example: `{ \"sourceId\": \"01948ccf-8d80-7000-8000-000000000001\", " +
                             "\"stance\": \"reports\", \"quote\": { \"exact\": \"non sono corrette\", \"prefix\": \"sul nostro piano \" } }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return claims;
    }

    private static async Task<Results<Created<AppearanceResponse>, ValidationProblem, ProblemHttpResult>> AddAppearance(
        string idOrSlug, AddAppearanceRequest request, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.SourceId is null) errors.Add("sourceId", "sourceId is required.");
        if (request.Stance is null) errors.Add("stance", $"stance is required: one of {string.Join(", ", EnumWords.All<Stance>())}.");
        if (request.Quote is null) errors.Add("quote", "quote is required: { \"exact\": \"…\" }.");
        else
        {
            errors.Text("quote.exact", request.Quote.Exact, Limits.Quote);
            errors.OptionalText("quote.prefix", request.Quote.Prefix, QuoteAnchoring.ContextLength);
            errors.OptionalText("quote.suffix", request.Quote.Suffix, QuoteAnchoring.ContextLength);
        }
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());
        var (sourceId, stance, (exact, prefix, suffix)) = (request.SourceId!.Value, request.Stance!.Value, request.Quote!);

        var claimId = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (claimId is null) return ClaimLookup.NotFound(idOrSlug);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // FOR SHARE: a concurrent content revision waits for this insert (and then re-anchors it) rather than slip in between.
        var source = (await db.Sources.FromSql($"SELECT * FROM sources WHERE id = {sourceId} FOR SHARE").AsNoTracking()
            .Select(s => new { Summary = new SourceSummary(s.Id, s.Kind, s.Title, s.Url, s.Publisher), s.Content })
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (source is null)
        {
            return ProblemTypes.RuleBroken(ProblemTypes.UnknownSource, "Source not found", $"sourceId: no source has the id '{sourceId}'.");
        }

        Quote quote;
        if (string.IsNullOrEmpty(source.Content))
        {
            // Nothing to anchor in yet: the client's selectors are all there is.
            quote = new Quote { Exact = exact, Prefix = prefix, Suffix = suffix, Anchor = AnchorState.Unanchored };
        }
        else
        {
            var found = QuoteAnchoring.Locate(source.Content, exact, prefix, suffix);
            if (found.Matches == 0) return QuoteNotFound(prefix, suffix);
            if (found.Matches > 1) return QuoteAmbiguous(found.Matches);
            var (storedPrefix, storedSuffix) = QuoteAnchoring.Context(source.Content, found.Start, found.End);
            quote = new Quote
            {
                Exact = exact, Prefix = storedPrefix, Suffix = storedSuffix, Start = found.Start, End = found.End, Anchor = AnchorState.Anchored,
            };
        }

        // Bumping updated_at changes the claim's ETag, and its row lock serialises appearances added to one claim at once.
        var now = clock.GetUtcNow();
        if (await db.Claims.Where(c => c.Id == claimId).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken) == 0)
        {
            return ClaimLookup.NotFound(idOrSlug);
        }
        var existing = await db.Appearances.AsNoTracking()
            .Where(a => a.ClaimId == claimId && a.SourceId == sourceId && a.Stance == stance && a.Quote.Exact == exact
                        && a.Quote.Start == quote.Start && a.Quote.End == quote.End)
            .Select(a => (Guid?)a.Id).FirstOrDefaultAsync(cancellationToken);
        if (existing is not null) return AppearanceExists(existing.Value);

        var appearance = new Appearance
        {
            ClaimId = claimId.Value, SourceId = sourceId, Stance = stance, Quote = quote, CreatedAt = now,
        };
        db.Appearances.Add(appearance);
        // Webhooks: the event commits with the appearance (the outbox), when a subscription wants it.
        if ((await WebhookOutbox.WantedAsync(db, cancellationToken)).Contains(WebhookEventTypes.AppearanceAdded))
        {
            WebhookOutbox.AppearanceAdded(db, await WebhookOutbox.ClaimFactsAsync(db, claimId.Value, cancellationToken), appearance.Id, sourceId, now);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return TypedResults.Created($"/api/v1/claims/{claimId}", new AppearanceResponse(appearance.Id, stance, source.Summary,
            new QuoteResponse(quote.Exact, quote.Prefix, quote.Suffix, quote.Start, quote.End, quote.Anchor)));
    }

    private static ProblemHttpResult QuoteNotFound(string? prefix, string? suffix) => ProblemTypes.RuleBroken(
        ProblemTypes.QuoteNotFound, "Quote not found in the source",
        "The source's content does not contain quote.exact" +
        (string.IsNullOrEmpty(prefix) && string.IsNullOrEmpty(suffix) ? "" : " with that prefix/suffix around it") +
        ". Matching is exact, character for character, typographic quotes and apostrophes included.");

    private static ProblemHttpResult QuoteAmbiguous(int matches) => ProblemTypes.RuleBroken(
        ProblemTypes.QuoteAmbiguous, "Quote is ambiguous",
        $"quote.exact occurs {matches} times in the source's content. Send quote.prefix and/or quote.suffix (up to " +
        $"{QuoteAnchoring.ContextLength} characters of the text just before or after it) to choose one.");

    private static ProblemHttpResult AppearanceExists(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.AppearanceExists, title: "Appearance already recorded",
        detail: $"This claim already has this appearance (same source, stance and quote): {id}.",
        extensions: new Dictionary<string, object?> { ["appearanceId"] = id });
}
