using System.Data;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Replicas;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Stats;

public static class StatsApi
{
    public const int TopSubjects = 20;

    public static void AddClaimTrackerStats(this IHostApplicationBuilder builder) => builder.Services.AddSingleton<StatsCoalescer>();

    public static RouteGroupBuilder MapStats(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/stats").WithTags("Stats");

        group.MapGet("/", GetStats)
            // Shared by concurrent requests (StatsCoalescer), whatever token each sent: only the primary is never older than one.
            .ReadsFromPrimary()
            .WithName("GetStats")
            .WithSummary("Claims by status and subject, and status changes per day, for dashboards")
            .WithDescription("`{ \"claims\", \"byStatus\", \"bySubject\", \"changesPerDay\", \"generatedAt\" }`. `byStatus` always " +
                             "has all seven statuses, zeros included. `bySubject` lists the 20 entities with most claims (ties " +
                             "by slug), each with its own `byStatus`. `changesPerDay` counts status changes per UTC day for the " +
                             "`days` (1–366, default 30) up to the day of the latest change, oldest first, days without changes " +
                             "as 0; empty when nothing has changed yet. All numbers come from one snapshot, taken after the request " +
                             "arrived (concurrent requests share it). On the seeded story " +
                             "`?days=1` gives `[{ \"day\": \"2025-01-22\", \"changes\": 17 }]`.")
            .ProducesValidationProblem();

        return group;
    }

    private static async Task<Results<Ok<StatsResponse>, ValidationProblem>> GetStats(
        [AsParameters] StatsQuery query, StatsCoalescer stats, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var days = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());
        return TypedResults.Ok(await stats.GetAsync(days, cancellationToken));
    }
}

/// <summary>The numbers of `GET /stats`, computed afresh (see <see cref="StatsCoalescer"/> for who shares them).</summary>
internal static class StatsQueries
{
    public static async Task<StatsResponse> ComputeAsync(ClaimTrackerDbContext db, int days, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Four GROUP BY queries, read from one snapshot so that the totals agree with each other.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        var byStatus = await db.Claims.GroupBy(c => c.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var topSubjects = await db.Claims.GroupBy(c => c.SubjectId)
            .Select(g => new { SubjectId = g.Key, Count = g.Count() })
            .Join(db.Entities, g => g.SubjectId, e => e.Id, (g, e) => new { e.Id, e.Slug, e.Name, g.Count })
            .OrderByDescending(s => s.Count).ThenBy(s => s.Slug)
            .Take(StatsApi.TopSubjects)
            .ToListAsync(cancellationToken);

        var subjectIds = topSubjects.Select(s => s.Id).ToList();
        var subjectStatuses = await db.Claims.Where(c => subjectIds.Contains(c.SubjectId))
            .GroupBy(c => new { c.SubjectId, c.Status })
            .Select(g => new { g.Key.SubjectId, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var changes = await ChangesPerDayAsync(db, days, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var bySubject = topSubjects.Select(s => new SubjectStats(
                new EntityRef(s.Id, s.Slug, s.Name), s.Count,
                StatusCounts.From(subjectStatuses.Where(c => c.SubjectId == s.Id).Select(c => (c.Status, c.Count)))))
            .ToList();
        return new StatsResponse(
            byStatus.Sum(s => s.Count), StatusCounts.From(byStatus.Select(s => (s.Status, s.Count))), bySubject, changes,
            clock.GetUtcNow());
    }

    private sealed record DayCount(DateOnly Day, int Changes);

    /// <summary>Changes per UTC day over the <paramref name="days"/> ending on the latest change's day, with the gaps as 0.</summary>
    private static async Task<List<DayChanges>> ChangesPerDayAsync(ClaimTrackerDbContext db, int days, CancellationToken cancellationToken)
    {
        // The latest change is the chain's last row (the primary key finds it); days are UTC whatever the session's time zone.
        var counts = await db.Database.SqlQuery<DayCount>($"""
            SELECT (s.at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS changes
            FROM status_changes s
            WHERE s.at >= (SELECT date_trunc('day', l.at AT TIME ZONE 'UTC') - make_interval(days => {days - 1})
                           FROM status_changes l ORDER BY l.seq DESC LIMIT 1) AT TIME ZONE 'UTC'
            GROUP BY 1
            """).ToDictionaryAsync(c => c.Day, c => c.Changes, cancellationToken);
        if (counts.Count == 0) return [];

        var last = counts.Keys.Max();
        return [.. Enumerable.Range(0, days).Select(i => last.AddDays(i - days + 1)).Select(d => new DayChanges(d, counts.GetValueOrDefault(d)))];
    }
}
