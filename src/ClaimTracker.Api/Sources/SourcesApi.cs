using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Sources;

public static class SourcesApi
{
    public static RouteGroupBuilder MapSources(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/sources").WithTags("Sources");

        group.MapGet("/", ListSources)
            .WithName("ListSources")
            .WithSummary("List sources, newest first")
            .WithDescription("Keyset-paginated by creation time: follow `nextCursor` (or the `Link: rel=\"next\"` header) " +
                             "until it is null. Filters: `kind` (e.g. `article`, `statement`), `language` (a BCP 47 tag; " +
                             "`en` also matches `en-US`), `anonymous` (`true` for unnamed-sources reports). " +
                             "e.g. `?kind=article&language=it` finds the Italian article on ByteDance's AI-chip budget. " +
                             "Items carry `contentSha256` and `revision` but not the content itself.")
            .ProducesValidationProblem();

        group.MapGet("/{id}", GetSource)
            .WithName("GetSource")
            .WithSummary("Get a source with its content and the claims that appear in it")
            .WithDescription("Addressed by id (a UUID); any other value names no source and gets 404. `claims` lists each " +
                             "claim quoted in the source, in the order of its first quote, with every appearance: the " +
                             "source's `stance` (e.g. `reports` for the article, `denies` for ByteDance's statement) and " +
                             "the `quote` anchored in `content`. Returns a strong `ETag` covering the source's fields and " +
                             "content and the claims and quotes shown (a claim's new status changes it); send it back in " +
                             "`If-None-Match` to get 304 while nothing shown has changed.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapSourceWrites();
        return group;
    }

    private static async Task<Results<Ok<Page<SourceListItem>>, ValidationProblem>> ListSources(
        [AsParameters] SourceListQuery query, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await filter.PageAsync(filter.Apply(db.Sources.AsNoTracking()), cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    /// <param name="id" example="01948ccf-8d80-7000-8000-000000000001">The source's id (a UUID); the example is the seeded article.</param>
    /// <param name="db">The database.</param>
    /// <param name="http">The request, for `If-None-Match`, and the response, for `ETag`.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<SourceDetailResponse>, StatusCodeHttpResult, ProblemHttpResult>> GetSource(
        string id, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var sourceId)) return NotFound(id);
        var row = await db.Sources.AsNoTracking().Where(s => s.Id == sourceId)
            .Select(SourceProjections.ToDetail)
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return NotFound(id);

        var (etag, appearances) = await DetailStateAsync(db, sourceId, row.Version, cancellationToken);
        http.Response.Headers.ETag = etag;
        if (ETags.IfNoneMatchHits(http.Request, etag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);

        return TypedResults.Ok(row.Value with { Claims = SourceProjections.GroupByClaim(appearances) });
    }

    /// <summary>
    /// The claims and quotes a source's detail shows, and its ETag: the source row's version plus a digest of those
    /// rows, so that a claim's new status or a new quote changes the ETag too (a 304 is never stale). Writes that
    /// take `If-Match` on a source compare this same value.
    /// </summary>
    internal static async Task<(string ETag, List<ClaimAppearanceRow> Appearances)> DetailStateAsync(
        ClaimTrackerDbContext db, Guid sourceId, uint version, CancellationToken cancellationToken)
    {
        // A second query rather than a join, so that the (possibly large) content is not repeated per appearance.
        var appearances = await db.Appearances.AsNoTracking().Where(a => a.SourceId == sourceId)
            .OrderBy(a => a.Quote.Start ?? int.MaxValue).ThenBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(SourceProjections.ToClaimAppearance)
            .ToListAsync(cancellationToken);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(appearances)))[..16];
        return ($"\"{version}-{digest}\"", appearances);
    }

    public static ProblemHttpResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Source not found",
        detail: $"No source has the id '{id}'.");
}
