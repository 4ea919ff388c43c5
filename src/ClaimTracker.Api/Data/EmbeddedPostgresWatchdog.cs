using ClaimTracker.LocalPostgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Data;

/// <summary>
/// Keeps the embedded PostgreSQL running while the API runs. When its server stops or dies (killed, out of memory, stopped
/// by hand), the watchdog starts it again on the same folder and port, retrying for up to
/// `LocalDatabase:RestartTimeoutSeconds` (a killed server's backends may hold its shared memory for a moment); meanwhile
/// requests are 503 `database-unavailable`. Should it not come back, the API stops with exit code 1 and one line saying
/// why, rather than answering 503 forever. Idle with a configured database: that server's keeper is its operator.
/// </summary>
public sealed class EmbeddedPostgresWatchdog(
    DatabaseEndpoint endpoint,
    NpgsqlDataSource dataSource,
    IOptions<LocalDatabaseOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<EmbeddedPostgresWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (endpoint.Embedded is not { } cluster) return;
        using var timer = new PeriodicTimer(CheckEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (cluster.IsRunning) continue;
                if (!await RestartAsync(cluster, stoppingToken)) return;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The API is stopping: it stops the server itself.
        }
    }

    private async Task<bool> RestartAsync(LocalPostgresCluster cluster, CancellationToken stoppingToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.RestartTimeoutSeconds);
        logger.LogWarning("The embedded PostgreSQL in {DataDirectory} has stopped; starting it again on port {Port}.",
            cluster.DataDirectory, cluster.Port);
        var pipeline = DatabaseSetup.Patiently(timeout, clock, e => e is LocalPostgresException,
            (_, delay) => logger.LogDebug("The embedded PostgreSQL cannot start yet; retrying in {Delay} ms.", delay.TotalMilliseconds));
        try
        {
            await pipeline.ExecuteAsync(async ct => await cluster.RestartAsync(ct), stoppingToken);
        }
        catch (LocalPostgresException e)
        {
            logger.LogCritical("The embedded PostgreSQL stopped and could not be started again within {Timeout} s; stopping. {Reason}",
                timeout.TotalSeconds, e.Message.ReplaceLineEndings(" "));
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return false;
        }
        // The pool's connections died with the old server: drop them now rather than fail one request each.
        dataSource.Clear();
        logger.LogInformation("The embedded PostgreSQL is running again on port {Port}.", cluster.Port);
        return true;
    }
}
