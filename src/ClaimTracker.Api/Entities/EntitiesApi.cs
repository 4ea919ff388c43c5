using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Entities;

public static class EntitiesApi
{
    public static RouteGroupBuilder MapEntities(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/entities").WithTags("Entities");

        group.MapGet("/", ListEntities)
            .WithName("ListEntities")
            .WithSummary("List entities in slug order")
            .WithDescription("Keyset-paginated: follow `nextCursor` (or the `Link: rel=\"next\"` header) until it is null. " +
                             "Filters: `kind` (e.g. `court`, `organization`) and `q`, a case-insensitive prefix of the name " +
                             "or of any alias in any language, e.g. `?q=corte` finds the US Supreme Court by its Italian name.")
            .ProducesValidationProblem();

        group.MapGet("/{idOrSlug}", GetEntity)
            .WithName("GetEntity")
            .WithSummary("Get an entity with its claim counts")
            .WithDescription("Addressed by id or slug, e.g. `bytedance`. `claims.asSubject` counts the claims about it, " +
                             "`claims.asClaimant` the claims it makes.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{idOrSlug}/claims", ListEntityClaims)
            .WithName("ListEntityClaims")
            .WithSummary("List the claims about an entity")
            .WithDescription("The claims whose subject is the entity; `role=claimant` lists the claims it makes instead, " +
                             "`role=any` both. Takes every filter, sort and the paging of `GET /claims`, " +
                             "e.g. `/entities/bytedance/claims?status=disputed` or `?q=divieto`. 404 when the entity does not exist.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapEntityWrites();
        return group;
    }

    private static async Task<Results<Ok<Page<EntityListItem>>, ValidationProblem>> ListEntities(
        [AsParameters] EntityListQuery query, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await filter.PageAsync(filter.Apply(db.Entities.AsNoTracking()), cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    /// <param name="idOrSlug" example="bytedance">The entity's id (UUID) or slug.</param>
    /// <param name="db">The database.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<EntityDetailResponse>, ProblemHttpResult>> GetEntity(
        string idOrSlug, ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Entities.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(EntityProjections.ToDetail(db))
            .FirstOrDefaultAsync(cancellationToken);
        return entity is null ? NotFound(idOrSlug) : TypedResults.Ok(entity);
    }

    /// <param name="idOrSlug" example="bytedance">The entity's id (UUID) or slug.</param>
    /// <param name="query">The filters, sort and page of `GET /claims`.</param>
    /// <param name="role" example="subject">Which claims of the entity: those about it (`subject`, the default), those it makes (`claimant`) or both (`any`).</param>
    /// <param name="db">The database.</param>
    /// <param name="search">The search settings (statement timeout).</param>
    /// <param name="http">The request, for the `Link` header's URL.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<Page<ClaimResponse>>, ValidationProblem, ProblemHttpResult>> ListEntityClaims(
        string idOrSlug, [AsParameters] ClaimListQuery query, [FromQuery(Name = "role")] string? role,
        ClaimTrackerDbContext db, IOptions<SearchOptions> search, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        var languages = ClaimLanguages.Preference(http.Request, query.Lang, errors);
        var entityRole = errors.Enum<EntityRole>("role", role) ?? EntityRole.Subject;
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var entityId = await db.Entities.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(e => (Guid?)e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (entityId is not { } id) return NotFound(idOrSlug);

        var claims = filter.Apply(db.Claims.AsNoTracking());
        claims = entityRole switch
        {
            EntityRole.Subject => claims.Where(c => c.SubjectId == id),
            EntityRole.Claimant => claims.Where(c => c.ClaimantId == id),
            _ => claims.Where(c => c.SubjectId == id || c.ClaimantId == id),
        };
        var page = await SearchTransaction.RunAsync(db, filter, search.Value, ct => ClaimSorts.PageAsync(claims, filter, ct), cancellationToken);
        if (page is null) return SearchTransaction.TooBroad(search.Value);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(ClaimLanguages.RespondPage(http, page, languages));
    }

    /// <summary>Entities are addressed by id or slug.</summary>
    public static IQueryable<Entity> WhereIdOrSlug(this IQueryable<Entity> entities, string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? entities.Where(e => e.Id == id) : entities.Where(e => e.Slug == idOrSlug);

    public static ProblemHttpResult NotFound(string idOrSlug) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Entity not found",
        detail: $"No entity has the id or slug '{idOrSlug}'.");

    /// <summary>The part an entity plays in the claims listed under it.</summary>
    private enum EntityRole { Subject, Claimant, Any }
}
