using System.Net.Http.Json;
using ClaimTracker.Api.Stats;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClaimTracker.Api.Tests.Stats;

/// <summary>Concurrent `GET /stats` requests share a computation, never one that started before they arrived.</summary>
public sealed class StatsSharingTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestsArrivingDuringAComputationShareTheNextOneAndSeeWhatWasWrittenBeforeThem()
    {
        var stats = app.Services.GetRequiredService<StatsCoalescer>();
        using var client = app.CreateClient();
        await using var other = new NpgsqlConnection(app.ConnectionString);
        await other.OpenAsync(Ct);
        var computedBefore = stats.Computations;

        // The history table is the last one a computation reads: the first request's computation takes its snapshot on
        // claims, then waits for this lock.
        await using var hold = await other.BeginTransactionAsync(Ct);
        await Sql(other, "LOCK TABLE status_changes IN ACCESS EXCLUSIVE MODE");
        var first = client.GetFromJsonAsync<StatsResponse>("/api/v1/stats", ClaimTrackerApp.Json, Ct);
        await LockWaiters.WaitForAsync(other, 1, first);

        // Written after the first computation's snapshot, before the next requests arrive.
        await app.AddClaimsAsync(await app.AddEntityAsync("stats-sharing"), 1);
        var later = Enumerable.Range(0, 3).Select(_ => client.GetFromJsonAsync<StatsResponse>("/api/v1/stats", ClaimTrackerApp.Json, Ct)).ToList();
        await WaitUntilAsync(() => stats.Waiting == 4, "the later requests never arrived");
        Assert.Equal(1, await LockWaiters.CountAsync(other));
        await hold.RollbackAsync(Ct);

        var firstStats = (await first)!;
        var laterStats = (await Task.WhenAll(later)).Select(s => s!).ToList();
        Assert.All(laterStats, s => Assert.Equal(firstStats.Claims + 1, s.Claims));
        Assert.Single(laterStats.Select(s => s.GeneratedAt).Distinct());
        Assert.NotEqual(firstStats.GeneratedAt, laterStats[0].GeneratedAt);
        Assert.Equal(2, stats.Computations - computedBefore);
        Assert.Equal(0, stats.Waiting);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 500; i++)
        {
            if (condition()) return;
            await Task.Delay(20, Ct);
        }
        Assert.Fail(failure);
    }

    private static async Task Sql(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
