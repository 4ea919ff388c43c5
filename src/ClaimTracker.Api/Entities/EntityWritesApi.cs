using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Entities;

public static class EntityWritesApi
{
    /// <summary>Adds the editors' writes to the `/entities` group of <see cref="EntitiesApi.MapEntities"/>.</summary>
    public static RouteGroupBuilder MapEntityWrites(this RouteGroupBuilder group)
    {
        group.MapPost("/", CreateEntity)
            .RequireAuthorization(Policies.Edit)
            .WithName("CreateEntity")
            .WithSummary("Create an entity")
            .WithDescription("`slug` is lowercase letters and digits in words joined by hyphens, at most 100 characters, and " +
                             "unique (409 otherwise); `kind` is organization, person, government, court, product or place; " +
                             "`aliases` (at most 50, each 1–200 characters, no repeats ignoring case) make it findable by any " +
                             "of its names. Returns 201 with `Location: /api/v1/entities/{slug}`. Example: `{ \"slug\": " +
                             "\"cambricon\", \"name\": \"Cambricon Technologies\", \"kind\": \"organization\", \"aliases\": " +
                             "[\"Cambricon\", \"寒武纪\"], \"description\": \"Chinese AI-chip maker; with Huawei, a supplier of " +
                             "ByteDance's domestic chip purchases.\" }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<EntityDetailResponse>, ValidationProblem, ProblemHttpResult>> CreateEntity(
        CreateEntityRequest request, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var entity = request.ToEntity(clock.GetUtcNow());
        if (await db.Entities.AnyAsync(e => e.Slug == entity.Slug, cancellationToken)) return SlugTaken(entity.Slug);
        db.Entities.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation("ix_entities_slug"))
        {
            // Another request took the slug between the check above and this insert.
            return SlugTaken(entity.Slug);
        }

        var created = await db.Entities.AsNoTracking().Where(e => e.Id == entity.Id)
            .Select(EntityProjections.ToDetail(db))
            .FirstAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/entities/{created.Slug}", created);
    }

    private static ProblemHttpResult SlugTaken(string slug) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.SlugTaken, title: "Slug taken",
        detail: $"An entity already has the slug '{slug}': see /api/v1/entities/{slug}. Choose another slug.");
}
