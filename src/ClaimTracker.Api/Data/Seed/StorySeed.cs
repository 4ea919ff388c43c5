namespace ClaimTracker.Api.Data.Seed;

/// <summary>Seeds the ByteDance AI-chips story (DESIGN §4) once.</summary>
public static class StorySeed
{
    public const int ClaimCount = 16;

    public static Task<bool> SeedAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) => Task.FromResult(false);
}
