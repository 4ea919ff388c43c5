using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

public static class ClaimsApi
{
    public static RouteGroupBuilder MapClaims(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/claims").WithTags("Claims");

        group.MapGet("/", ListClaims)
            .WithName("ListClaims")
            .WithSummary("List claims, filtered, newest change first")
            .WithDescription("Keyset-paginated: follow `nextCursor` (or the `Link: rel=\"next\"` header) until it is null. " +
                             "`status` may be repeated. Entities (`subject`, `claimant`) and `partOf` take an id or a slug, " +
                             "e.g. `?subject=bytedance&status=disputed`.")
            .ProducesValidationProblem();

        group.MapGet("/{idOrSlug}", GetClaim)
            .WithName("GetClaim")
            .WithSummary("Get a claim with its appearances and parts")
            .WithDescription("Addressed by id or slug, e.g. `bytedance-ai-chips-budget-2025`. Returns a strong `ETag`; " +
                             "send it back in `If-None-Match` to get 304 when nothing changed.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapClaimWrites().MapClaimAppearances();
        return group;
    }

    private static async Task<Results<Ok<Page<ClaimResponse>>, ValidationProblem>> ListClaims(
        [AsParameters] ClaimListQuery query, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await ClaimSorts.PageAsync(filter.Apply(db.Claims.AsNoTracking()), filter, cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<ClaimDetailResponse>, StatusCodeHttpResult, ProblemHttpResult>> GetClaim(
        string idOrSlug, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var row = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(ClaimProjections.ToDetail)
            .AsSplitQuery()
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return NotFound(idOrSlug);

        var etag = ETags.For(row.Version);
        http.Response.Headers.ETag = etag;
        return ETags.IfNoneMatchHits(http.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(row.Value);
    }

    /// <summary>Claims are addressed by id or slug.</summary>
    public static IQueryable<Claim> WhereIdOrSlug(this IQueryable<Claim> claims, string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? claims.Where(c => c.Id == id) : claims.Where(c => c.Slug == idOrSlug);

    public static ProblemHttpResult NotFound(string idOrSlug) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Claim not found",
        detail: $"No claim has the id or slug '{idOrSlug}'.");
}
