using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Matching;

/// <summary>`POST /claims/match` and `GET /claims/{idOrSlug}/similar`: is this claim already tracked?</summary>
public static class MatchingApi
{
    public const int MaxTextLength = 2000;
    public const int DefaultLimit = 5;
    public const int MaxLimit = 20;

    public static RouteGroupBuilder MapClaimMatching(this RouteGroupBuilder claims)
    {
        // A literal segment outranks `/{idOrSlug}`: `match` is never taken for a slug.
        claims.MapPost("/match", Match)
            .WithName("MatchClaim")
            .WithSummary("Find the tracked claims a text states, in English or Italian")
            .WithDescription("Before recording a claim, ask whether it is tracked already. Candidates come best first with " +
                             "a `score` (0–1) and a `verdict`: `duplicate` (the same claim) or `similar` (related); `matched` " +
                             "says which of the claim's texts matched (its `statement`, a `translation` or a `quote`) and its " +
                             "language. Number-aware: a candidate whose amount or period contradicts the text's is never a " +
                             "duplicate (\"5,5 miliardi all'estero\" is not \"$6.8 billion abroad\"). e.g. " +
                             "`{ \"text\": \"ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025\", \"language\": \"it\" }` " +
                             "finds `bytedance-ai-chips-budget-2025` as a duplicate.")
            .Accepts<MatchRequest>("application/json")
            .ProducesValidationProblem();

        claims.MapGet("/{idOrSlug}/similar", Similar)
            .WithName("SimilarClaims")
            .WithSummary("Claims like this one (itself, its parts and its total left out)")
            .WithDescription("The candidates `POST /claims/match` gives for the claim's statement, e.g. for " +
                             "`bytedance-denies-anonymous-plan-report`, ByteDance's other denial.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return claims;
    }

    private static async Task<Results<Ok<MatchResponse>, ValidationProblem>> Match(
        MatchRequest request, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Text("text", request.Text, MaxTextLength);
        var language = Language(request.Language, errors);
        var limit = Limit(request.Limit, errors);
        var preference = ClaimLanguages.Preference(http.Request, null, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var matches = await ClaimMatcher.MatchAsync(db, request.Text.Trim(), language, limit, [], cancellationToken);
        return TypedResults.Ok(await RespondAsync(db, http, matches, preference, cancellationToken));
    }

    private static async Task<Results<Ok<MatchResponse>, ValidationProblem, ProblemHttpResult>> Similar(
        string idOrSlug, [FromQuery(Name = "limit")] int? limit, ClaimTrackerDbContext db, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = Limit(limit, errors);
        var preference = ClaimLanguages.Preference(http.Request, null, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var claim = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(c => new { c.Id, c.Statement, c.PartOfId, Parts = c.Parts.Select(p => p.Id).ToList() })
            .FirstOrDefaultAsync(cancellationToken);
        if (claim is null) return ClaimLookup.NotFound(idOrSlug);

        Guid[] excluded = [claim.Id, .. claim.Parts, .. claim.PartOfId is { } total ? [total] : Array.Empty<Guid>()];
        var matches = await ClaimMatcher.MatchAsync(db, claim.Statement, ClaimLanguages.Canonical, size, excluded, cancellationToken);
        return TypedResults.Ok(await RespondAsync(db, http, matches, preference, cancellationToken));
    }

    /// <summary>`en` or `it` (any case, a region allowed: `it-IT`), or null when not given.</summary>
    public static string? Language(string? language, ValidationErrors errors)
    {
        if (language is null) return null;
        var primary = ClaimLanguages.Normalize(language)?.Split('-')[0];
        if (primary is "en" or "it") return primary;
        errors.Add("language", $"'{language}' is not a language matching reads: en or it (or leave it out to try both).");
        return null;
    }

    /// <summary>The language the matcher reads a text tagged <paramref name="tag"/> in: `en` or `it`, else null (both).</summary>
    public static string? MatcherLanguage(string? tag) => tag?.Split('-')[0] is var primary && primary is "en" or "it" ? primary : null;

    private static int Limit(int? limit, ValidationErrors errors)
    {
        if (limit is null) return DefaultLimit;
        if (limit is >= 1 and <= MaxLimit) return limit.Value;
        errors.Add("limit", $"limit must be 1–{MaxLimit}.");
        return DefaultLimit;
    }

    private static async Task<MatchResponse> RespondAsync(
        ClaimTrackerDbContext db, HttpContext http, IReadOnlyList<ClaimMatch> matches, IReadOnlyList<string> preference,
        CancellationToken cancellationToken)
    {
        var ids = matches.Select(m => m.ClaimId).ToList();
        var claims = await db.Claims.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(ClaimProjections.ToResponse)
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        return Respond(http, matches, claims, preference);
    }

    /// <summary>The candidates as answered: each claim (as a list item) in the reader's language, with `Content-Language`.</summary>
    public static MatchResponse Respond(
        HttpContext http, IReadOnlyList<ClaimMatch> matches, IReadOnlyDictionary<Guid, ClaimResponse> claims, IReadOnlyList<string> preference)
    {
        var languages = new List<string>();
        var items = matches.Where(m => claims.ContainsKey(m.ClaimId)).Select(m =>
        {
            var claim = ClaimLanguages.Present(claims[m.ClaimId], preference, out var language);
            languages.Add(language);
            var field = m.Best.Field switch { "statement" => MatchedField.Statement, "translation" => MatchedField.Translation, _ => MatchedField.Quote };
            return new MatchCandidate(claim, m.Score, m.Verdict, new MatchedText(field, m.Best.Language, m.Best.Text));
        }).ToList();
        ClaimLanguages.SetHeaders(http, languages);
        return new MatchResponse(items);
    }
}
