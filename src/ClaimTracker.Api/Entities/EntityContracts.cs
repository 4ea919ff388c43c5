using System.Linq.Expressions;
using ClaimTracker.Api.Data;

namespace ClaimTracker.Api.Entities;

/// <summary>An entity as `GET /entities` lists it.</summary>
public sealed record EntityListItem(
    Guid Id, string Slug, string Name, EntityKind Kind, IReadOnlyList<string> Aliases, string? Description,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>How many claims an entity is the subject of, and how many it makes.</summary>
public sealed record EntityClaimCounts(int AsSubject, int AsClaimant);

/// <summary>An entity with its claim counts, as `GET /entities/{idOrSlug}` returns it.</summary>
public sealed record EntityDetailResponse(
    Guid Id, string Slug, string Name, EntityKind Kind, IReadOnlyList<string> Aliases, string? Description,
    EntityClaimCounts Claims, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Projections into the response records, translated by EF Core into one SQL query each.</summary>
public static class EntityProjections
{
    public static readonly Expression<Func<Entity, EntityListItem>> ToListItem = e => new EntityListItem(
        e.Id, e.Slug, e.Name, e.Kind, e.Aliases, e.Description, e.CreatedAt, e.UpdatedAt);

    /// <summary>The counts are correlated subqueries over the claims' (subject_id, …) and (claimant_id, …) indexes.</summary>
    public static Expression<Func<Entity, EntityDetailResponse>> ToDetail(ClaimTrackerDbContext db) => e => new EntityDetailResponse(
        e.Id, e.Slug, e.Name, e.Kind, e.Aliases, e.Description,
        new EntityClaimCounts(db.Claims.Count(c => c.SubjectId == e.Id), db.Claims.Count(c => c.ClaimantId == e.Id)),
        e.CreatedAt, e.UpdatedAt);
}
