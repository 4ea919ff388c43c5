using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Claims;

public static class ClaimsApi
{
    /// <summary>Every `/claims` route: reads here, and each concern's endpoints from the file that owns it.</summary>
    public static RouteGroupBuilder MapClaims(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/claims").WithTags("Claims");

        group.MapGet("/", ListClaims)
            .WithName("ListClaims")
            .WithSummary("List claims, filtered, newest change first")
            .WithDescription("Keyset-paginated: follow `nextCursor` (or the `Link: rel=\"next\"` header) until it is null. " +
                             "`status` may be repeated. Entities (`subject`, `claimant`) and `partOf` take an id or a slug, " +
                             "e.g. `?subject=bytedance&status=disputed`. `q` searches statements, quotes, entity names and " +
                             "aliases in English and Italian with web-search syntax (`divieto`, `\"Corte Suprema\"`, " +
                             "`cambricon or huawei`, `bytedance -nvidia`); `sort=relevance` puts the best match first. " +
                             "A search stopped by the statement timeout is 422 `/problems/search-too-broad`: narrow it.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/{idOrSlug}", GetClaim)
            .WithName("GetClaim")
            .WithSummary("Get a claim with its appearances and parts")
            .WithDescription("Addressed by id or slug, e.g. `bytedance-ai-chips-budget-2025`. `statement` is in the language " +
                             "asked for with `?lang=` or `Accept-Language` (`it`, `it-IT, en;q=0.5`), else English; " +
                             "`Content-Language` names it and `statements` holds every language's. Returns a strong `ETag` " +
                             "(one per language); send it back in `If-None-Match` to get 304 when nothing changed.")
            .ProducesValidationProblem()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapClaimWrites();
        group.MapClaimStatus();
        group.MapClaimHistory();
        group.MapClaimAppearances();
        group.MapClaimExport();
        group.MapClaimReview();
        group.MapClaimMatching();
        group.MapClaimLinks();
        return group;
    }

    private static async Task<Results<Ok<Page<ClaimResponse>>, ValidationProblem, ProblemHttpResult>> ListClaims(
        [AsParameters] ClaimListQuery query, ClaimTrackerDbContext db, IOptions<SearchOptions> search, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        var languages = ClaimLanguages.Preference(http.Request, query.Lang, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await SearchTransaction.RunAsync(db, filter, search.Value,
            ct => ClaimSorts.PageAsync(filter.Apply(db.Claims.AsNoTracking()), filter, ct), cancellationToken);
        if (page is null) return SearchTransaction.TooBroad(search.Value);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(ClaimLanguages.RespondPage(http, page, languages));
    }

    private static async Task<Results<Ok<ClaimDetailResponse>, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetClaim(
        string idOrSlug, [FromQuery(Name = "lang")] string? lang, ClaimTrackerDbContext db, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var languages = ClaimLanguages.Preference(http.Request, lang, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());
        var row = await ClaimLookup.FindDetailAsync(db, idOrSlug, cancellationToken);
        if (row is null) return ClaimLookup.NotFound(idOrSlug);

        var claim = ClaimLanguages.Respond(http, row, languages);
        return ETags.IfNoneMatchHits(http.Request, http.Response.Headers.ETag.ToString())
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(claim);
    }
}
