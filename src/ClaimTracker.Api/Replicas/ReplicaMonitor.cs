using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Api.Replicas;

/// <summary>
/// Polls the primary and every replica every `Database:ReplicaPollMilliseconds` (1 s), so that a request picks a replica from memory, without a round
/// trip of its own. Lag is measured in WAL, not in time since the last replayed commit (which grows while the primary is
/// idle): each poll records where the primary's WAL ends, and a replica's lag is how long ago the primary was no further
/// than the replica's replay position — zero when it has replayed everything. A replica that does not answer within
/// <see cref="PollTimeout"/>, or is not a standby, is unusable until it answers again.
/// </summary>
internal sealed class ReplicaMonitor(
    ReplicaSet replicas, NpgsqlDataSource primary, IOptions<DatabaseOptions> options, TimeProvider clock, ILogger<ReplicaMonitor> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);

    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.ReplicaPollMilliseconds);

    /// <summary>Where the primary's WAL ended at each recent poll, oldest first.</summary>
    private readonly Queue<(DateTimeOffset At, NpgsqlLogSequenceNumber Lsn)> _primary = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replicas.Enabled) return;
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
            _primary.Enqueue((clock.GetUtcNow(), lsn));
        }
        catch (Exception e) when (IsUnreachable(e, stoppingToken))
        {
            // Nothing new is written while the primary is away: the samples kept still say how far behind a replica is.
        }
        // Keep what can tell a lag up to the limit apart from a greater one, and always the newest.
        var horizon = clock.GetUtcNow() - TimeSpan.FromSeconds(options.Value.MaxReplicaLagSeconds) - 2 * PollInterval;
        while (_primary.Count > 1 && _primary.Peek().At < horizon) _primary.Dequeue();

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
                ? new ReplicaState(true, replayed, Lag(replayed), null)
                : ReplicaState.Down("not a standby (pg_is_in_recovery() is false)");
        }
        catch (Exception e) when (IsUnreachable(e, stoppingToken))
        {
            state = ReplicaState.Down(e is OperationCanceledException ? $"no answer within {PollTimeout.TotalSeconds:0} s" : e.Message);
            replica.DataSource.Clear();
        }
        var before = replica.State;
        replica.State = state;
        if (before.Usable && !state.Usable)
        {
            logger.LogWarning("Replica {Replica} is skipped: {Problem}. Reads go to the primary or another replica.", replica.Name, state.Problem);
        }
        else if (!before.Usable && state.Usable && before != ReplicaState.Unknown)
        {
            logger.LogInformation("Replica {Replica} answers again; reads go to it.", replica.Name);
        }
    }

    /// <summary>How long ago the primary's WAL ended no further than <paramref name="replayed"/>; zero if it ends there now.</summary>
    private TimeSpan? Lag(NpgsqlLogSequenceNumber replayed)
    {
        if (_primary.Count == 0) return null;
        if (_primary.Last().Lsn <= replayed) return TimeSpan.Zero;
        DateTimeOffset? caughtUpAt = null;
        foreach (var (at, lsn) in _primary)
        {
            if (lsn <= replayed) caughtUpAt = at; // oldest first, and the WAL only grows: the last match is the newest
        }
        // Behind even the oldest sample kept: further behind than the limit.
        return clock.GetUtcNow() - (caughtUpAt ?? _primary.Peek().At - PollInterval);
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
