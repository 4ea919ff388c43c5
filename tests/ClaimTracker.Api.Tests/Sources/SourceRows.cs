using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Sources;

/// <summary>Arranges sources directly in the test's database.</summary>
internal static class SourceRows
{
    /// <summary>Adds a report (changed by <paramref name="arrange"/>) and returns it as stored, to microseconds.</summary>
    public static async Task<Source> AddSourceAsync(this ClaimTrackerApp app, Action<Source>? arrange = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var source = new Source { Kind = SourceKind.Report, Title = $"Test source {Guid.NewGuid():N}", CreatedAt = now, UpdatedAt = now };
        arrange?.Invoke(source);
        await using var db = app.CreateDbContext();
        db.Sources.Add(source);
        await db.SaveChangesAsync(ct);
        return await db.Sources.AsNoTracking().SingleAsync(s => s.Id == source.Id, ct);
    }
}
