using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Matching;

/// <summary>
/// Keeps the words too common to find a claim by (held by more than 500 claims) up to the search index's statistics:
/// at start and every ten minutes, `claimtracker_refresh_common_lexemes()` copies them from `pg_stats`, which autovacuum's
/// ANALYZE renews as claims are written (decision 012, "Finding candidates at scale"). Reading `pg_stats` on every match
/// cost a fifth of its database time; a list a few minutes old picks the same candidates.
/// </summary>
internal sealed class CommonWords(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CommonWords> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>Copies the current statistics' common words; returns how many came or went.</summary>
    public static async Task<long> RefreshAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<long>($"SELECT claimtracker_refresh_common_lexemes() AS \"Value\"").ToListAsync(cancellationToken))[0];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var changed = await RefreshAsync(scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>(), stoppingToken);
                if (changed > 0) logger.LogDebug("Matching: {Count} common words came or went with the latest statistics.", changed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An outage is reported by the requests and the health check: one line here. Either way the list in the
                // table stays in use until the next refresh.
                if (DatabaseFailures.Find(e) is { } failure)
                {
                    logger.LogWarning("Matching: could not refresh the common words ({Message}); will retry in {Minutes} minutes.",
                        failure.Message, Interval.TotalMinutes);
                }
                else
                {
                    logger.LogWarning(e, "Matching: could not refresh the common words; will retry in {Minutes} minutes.", Interval.TotalMinutes);
                }
            }
        } while (await timer.NextTickAsync(stoppingToken));
    }
}

/// <summary>The `Matching` settings.</summary>
public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>
    /// Whether `POST /claims` matches the new statement first (409 for a duplicate, `suggested` links). Off for a bulk
    /// load of claims deduplicated elsewhere; `notDuplicateOf` is still checked and recorded. The benchmark measures the
    /// guard's cost as a create with it against one without it.
    /// </summary>
    public bool GuardOnCreate { get; set; } = true;
}

public static class MatchingSetup
{
    public static void AddClaimTrackerMatching(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<MatchingOptions>(MatchingOptions.Section);
        builder.Services.AddHostedService<CommonWords>();
    }
}
