using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
                             "e.g. `?subject=bytedance&status=disputed`. `q` searches statements, quotes, entity names and " +
                             "aliases in English and Italian with web-search syntax (`divieto`, `\"Corte Suprema\"`, " +
                             "`cambricon or huawei`, `bytedance -nvidia`); `sort=relevance` puts the best match first. " +
                             "A search stopped by the statement timeout is 422 `/problems/search-too-broad`: narrow it.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/{idOrSlug}", GetClaim)
            .WithName("GetClaim")
            .WithSummary("Get a claim with its appearances and parts")
            .WithDescription("Addressed by id or slug, e.g. `bytedance-ai-chips-budget-2025`. Returns a strong `ETag`; " +
                             "send it back in `If-None-Match` to get 304 when nothing changed.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapClaimWrites().MapClaimAppearances();
        group.MapClaimExport().MapClaimReview();
        return group;
    }

    private static async Task<Results<Ok<Page<ClaimResponse>>, ValidationProblem, ProblemHttpResult>> ListClaims(
        [AsParameters] ClaimListQuery query, ClaimTrackerDbContext db, IOptions<SearchOptions> search, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await SearchTransaction.RunAsync(db, filter, search.Value,
            ct => ClaimSorts.PageAsync(filter.Apply(db.Claims.AsNoTracking()), filter, ct), cancellationToken);
        if (page is null) return SearchTransaction.TooBroad(search.Value);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<ClaimDetailResponse>, StatusCodeHttpResult, ProblemHttpResult>> GetClaim(
        string idOrSlug, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var row = Guid.TryParse(idOrSlug, out var id)
            ? await DetailById(db, id, cancellationToken)
            : await DetailBySlug(db, idOrSlug, cancellationToken);
        if (row is null) return NotFound(idOrSlug);

        var etag = ETags.For(row.Version);
        http.Response.Headers.ETag = etag;
        return ETags.IfNoneMatchHits(http.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(row.Value);
    }

    // Compiled once: the hottest read skips EF Core's per-request lookup of this large projection in its query cache
    // (hashing and comparing the whole expression tree). Measured in tests/ClaimTracker.Benchmarks/results/tuning.md (T1).
    private static readonly Func<ClaimTrackerDbContext, Guid, CancellationToken, Task<Versioned<ClaimDetailResponse>?>> DetailById =
        EF.CompileAsyncQuery((ClaimTrackerDbContext db, Guid id, CancellationToken _) =>
            db.Claims.AsNoTracking().Where(c => c.Id == id).Select(ClaimProjections.ToDetail).AsSplitQuery().FirstOrDefault());

    private static readonly Func<ClaimTrackerDbContext, string, CancellationToken, Task<Versioned<ClaimDetailResponse>?>> DetailBySlug =
        EF.CompileAsyncQuery((ClaimTrackerDbContext db, string slug, CancellationToken _) =>
            db.Claims.AsNoTracking().Where(c => c.Slug == slug).Select(ClaimProjections.ToDetail).AsSplitQuery().FirstOrDefault());

    /// <summary>The detail of a claim known to exist (after a write).</summary>
    internal static async Task<Versioned<ClaimDetailResponse>> ReadDetailAsync(ClaimTrackerDbContext db, Guid id, CancellationToken cancellationToken) =>
        await DetailById(db, id, cancellationToken) ?? throw new InvalidOperationException($"Claim {id} vanished after a write.");

    /// <summary>Claims are addressed by id or slug.</summary>
    public static IQueryable<Claim> WhereIdOrSlug(this IQueryable<Claim> claims, string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? claims.Where(c => c.Id == id) : claims.Where(c => c.Slug == idOrSlug);

    public static ProblemHttpResult NotFound(string idOrSlug) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Claim not found",
        detail: $"No claim has the id or slug '{idOrSlug}'.");
}
