using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

/// <summary>Finding a claim by id or slug, and reading its detail: shared by every `/claims/{idOrSlug}` endpoint.</summary>
public static class ClaimLookup
{
    /// <summary>Claims are addressed by id or slug.</summary>
    public static IQueryable<Claim> WhereIdOrSlug(this IQueryable<Claim> claims, string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? claims.Where(c => c.Id == id) : claims.Where(c => c.Slug == idOrSlug);

    public static ProblemHttpResult NotFound(string idOrSlug) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Claim not found",
        detail: $"No claim has the id or slug '{idOrSlug}'.");

    /// <summary>The detail of the claim <paramref name="idOrSlug"/> names, with its row version; null when none does.</summary>
    public static Task<Versioned<ClaimDetailResponse>?> FindDetailAsync(ClaimTrackerDbContext db, string idOrSlug, CancellationToken cancellationToken) =>
        Guid.TryParse(idOrSlug, out var id) ? DetailById(db, id, cancellationToken) : DetailBySlug(db, idOrSlug, cancellationToken);

    /// <summary>The detail of a claim known to exist (after a write).</summary>
    public static async Task<Versioned<ClaimDetailResponse>> ReadDetailAsync(ClaimTrackerDbContext db, Guid id, CancellationToken cancellationToken) =>
        await DetailById(db, id, cancellationToken) ?? throw new InvalidOperationException($"Claim {id} vanished after a write.");

    // Compiled once: the hottest read skips EF Core's per-request lookup of this large projection in its query cache
    // (hashing and comparing the whole expression tree). Measured in tests/ClaimTracker.Benchmarks/results/tuning.md (T1).
    private static readonly Func<ClaimTrackerDbContext, Guid, CancellationToken, Task<Versioned<ClaimDetailResponse>?>> DetailById =
        EF.CompileAsyncQuery((ClaimTrackerDbContext db, Guid id, CancellationToken _) =>
            db.Claims.AsNoTracking().Where(c => c.Id == id).Select(ClaimProjections.ToDetail).AsSplitQuery().FirstOrDefault());

    private static readonly Func<ClaimTrackerDbContext, string, CancellationToken, Task<Versioned<ClaimDetailResponse>?>> DetailBySlug =
        EF.CompileAsyncQuery((ClaimTrackerDbContext db, string slug, CancellationToken _) =>
            db.Claims.AsNoTracking().Where(c => c.Slug == slug).Select(ClaimProjections.ToDetail).AsSplitQuery().FirstOrDefault());
}
