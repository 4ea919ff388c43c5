using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>Arranges rows of a test's own, with unique slugs, so tests never depend on each other's data.</summary>
public static class TestData
{
    public static string UniqueSlug(string stem) => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(stem.Length + 13, 100)];

    public static async Task<Entity> AddEntityAsync(this ClaimTrackerApp app, string stem = "entity", EntityKind kind = EntityKind.Organization)
    {
        await using var db = app.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var entity = new Entity { Slug = UniqueSlug(stem), Name = $"Test {stem}", Kind = kind, CreatedAt = now, UpdatedAt = now };
        db.Entities.Add(entity);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return entity;
    }

    /// <summary>Adds claims about <paramref name="subject"/>; <paramref name="configure"/> sets each one's fields by index.</summary>
    public static async Task<List<Claim>> AddClaimsAsync(
        this ClaimTrackerApp app, Entity subject, int count, Action<int, Claim>? configure = null)
    {
        await using var db = app.CreateDbContext();
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var claims = Enumerable.Range(0, count).Select(i =>
        {
            var claim = new Claim
            {
                Slug = UniqueSlug($"claim-{i}"), Statement = $"Test claim {i} about {subject.Name}.",
                Kind = ClaimKind.Assertion, SubjectId = subject.Id, CreatedAt = start, UpdatedAt = start.AddSeconds(i),
            };
            configure?.Invoke(i, claim);
            return claim;
        }).ToList();
        db.Claims.AddRange(claims);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return claims;
    }

    /// <summary>A claim with one anchored appearance in a new source; returns both ids.</summary>
    public static async Task<(Claim Claim, Guid AppearanceId, Guid SourceId)> AddClaimWithAppearanceAsync(this ClaimTrackerApp app)
    {
        var subject = await app.AddEntityAsync();
        var claim = (await app.AddClaimsAsync(subject, 1))[0];
        await using var db = app.CreateDbContext();
        const string content = "Il portavoce ha dichiarato che le informazioni non sono corrette.";
        var source = new Source { Kind = SourceKind.Statement, Title = "Test statement", Content = content };
        var appearance = new Appearance
        {
            ClaimId = claim.Id, SourceId = source.Id, Stance = Stance.Denies,
            Quote = new Quote { Exact = "non sono corrette", Start = 47, End = 64, Anchor = AnchorState.Anchored },
        };
        db.Sources.Add(source);
        db.Appearances.Add(appearance);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return (claim, appearance.Id, source.Id);
    }
}
