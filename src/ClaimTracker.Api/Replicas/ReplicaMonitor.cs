using System.Diagnostics.Metrics;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Api.Replicas;

/// <summary>
/// Polls the primary and every replica every `Database:ReplicaPollMilliseconds` (1 s), so that a request picks a replica
/// from memory, without a round trip of its own. Lag is measured in WAL (<see cref="WalHistory"/>). A replica that does
/// not answer within <see cref="PollTimeout"/>, or is not a standby, is unusable until it answers again.
/// </summary>
internal sealed class ReplicaMonitor(
    ReplicaSet replicas, NpgsqlDataSource primary, IOptions<DatabaseOptions> options, TimeProvider clock, ILogger<ReplicaMonitor> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);

    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.ReplicaPollMilliseconds);

    private readonly WalHistory _history = new(TimeSpan.FromMilliseconds(options.Value.ReplicaPollMilliseconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replicas.Enabled) return;
        using var lag = ClaimTrackerMetrics.ObserveReplicaLag(() => replicas.Replicas
            .Where(r => r.State is { Usable: true, Lag: not null })
            .Select(r => new Measurement<double>(r.State.Lag!.Value.TotalSeconds, new KeyValuePair<string, object?>("replica", r.PoolName))));
        using var timer = new PeriodicTimer(PollInterval, clock);
        try
        {
            do
            {
                await PollAsync(stoppingToken);
            }
            while (await timer.NextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        // The primary first: a replica read after it can only be as far or further, never falsely behind.
        try
        {
            var lsn = await QueryAsync(primary, "SELECT pg_current_wal_lsn()", r => r.GetFieldValue<NpgsqlLogSequenceNumber>(0), stoppingToken);
            // Enough to tell a lag up to the limit from a greater one.
            _history.Record(clock.GetUtcNow(), lsn, TimeSpan.FromSeconds(options.Value.MaxReplicaLagSeconds) + 2 * PollInterval);
        }
        catch (Exception e) when (IsUnreachable(e, stoppingToken))
        {
            // Nothing new is written while the primary is away: the samples kept still say how far behind a replica is.
        }

        await Task.WhenAll(replicas.Replicas.Select(replica => PollAsync(replica, stoppingToken)));
    }

    private async Task PollAsync(Replica replica, CancellationToken stoppingToken)
    {
        ReplicaState state;
        try
        {
            var (standby, replayed) = await QueryAsync(replica.DataSource, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()",
                r => (r.GetBoolean(0), r.IsDBNull(1) ? default : r.GetFieldValue<NpgsqlLogSequenceNumber>(1)), stoppingToken);
            state = standby
                ? new ReplicaState(true, replayed, _history.LagOf(replayed, clock.GetUtcNow()), null)
                : ReplicaState.Down("not a standby (pg_is_in_recovery() is false)");
        }
        catch (Exception e) when (IsUnreachable(e, stoppingToken))
        {
            state = ReplicaState.Down(e is OperationCanceledException ? $"no answer within {PollTimeout.TotalSeconds:0} s" : e.Message);
            replica.DataSource.Clear();
        }
        var before = replica.State;
        replica.State = state;
        // One line per change (a replica down at start-up included), not one per poll.
        var first = ReferenceEquals(before, ReplicaState.Unknown);
        if (!state.Usable && (before.Usable || first))
        {
            logger.LogWarning("Replica {Replica} is skipped: {Problem}. Reads go to the primary or another replica.", replica.Name, state.Problem);
        }
        else if (state.Usable && !before.Usable)
        {
            logger.LogInformation(first ? "Reading from replica {Replica}." : "Replica {Replica} answers again; reads go to it.", replica.Name);
        }
    }

    private static async Task<T> QueryAsync<T>(
        NpgsqlDataSource dataSource, string sql, Func<NpgsqlDataReader, T> read, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PollTimeout);
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(timeout.Token);
        await reader.ReadAsync(timeout.Token);
        return read(reader);
    }

    private static bool IsUnreachable(Exception e, CancellationToken stoppingToken) =>
        !stoppingToken.IsCancellationRequested && e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException;
}
