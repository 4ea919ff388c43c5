using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Api.Replicas;

/// <summary>What the monitor last saw of a replica: whether it answers as a standby, how far it has replayed, its lag.</summary>
/// <param name="Usable">It answered as a hot standby at the last poll.</param>
/// <param name="ReplayLsn">`pg_last_wal_replay_lsn()`: every commit up to here is visible on it.</param>
/// <param name="Lag">How long ago the primary was where the replica is now (zero when it has caught up); null until known.</param>
/// <param name="Problem">Why it is not usable, in a few words, for /health/ready and the log.</param>
public sealed record ReplicaState(bool Usable, NpgsqlLogSequenceNumber ReplayLsn, TimeSpan? Lag, string? Problem)
{
    public static readonly ReplicaState Unknown = new(false, default, null, "not polled yet");

    public static ReplicaState Down(string problem) => new(false, default, null, problem);
}

/// <summary>One replica host: its own pool, and the state the monitor keeps up to date for the requests to read.</summary>
public sealed class Replica(string name, string poolName, NpgsqlDataSource dataSource)
{
    private volatile ReplicaState _state = ReplicaState.Unknown;

    /// <summary>`host:port`, for logs and /health/ready (never the connection string: it may hold a password).</summary>
    public string Name { get; } = name;

    /// <summary>Its pool's name (`claimtracker-replica`, `-1`, `-2`…), which labels its metrics.</summary>
    public string PoolName { get; } = poolName;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ReplicaState State
    {
        get => _state;
        set => _state = value;
    }
}

/// <summary>
/// The replicas named by `ConnectionStrings:ClaimTrackerReplica` (one host, or several: `Host=r1,r2:5433`), each with a
/// pool of its own, so that a read can go to one that has replayed what its client wrote and lags no more than
/// `Database:MaxReplicaLagSeconds` (docs/decisions/017-read-replicas.md). Empty when the setting is absent: every query
/// goes to the primary, as before.
/// </summary>
public sealed class ReplicaSet : IAsyncDisposable
{
    public const string ConnectionStringName = "ClaimTrackerReplica";

    private readonly Replica[] _replicas;

    private ReplicaSet(Replica[] replicas) => _replicas = replicas;

    public IReadOnlyList<Replica> Replicas => _replicas;

    public bool Enabled => _replicas.Length > 0;

    /// <summary>One pool per host of <paramref name="connectionString"/>; none when it is null or blank.</summary>
    public static ReplicaSet Create(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return new ReplicaSet([]);
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        // Prepared statements for hot queries, as on the primary (DatabaseEndpoint), unless the operator chose otherwise.
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) settings.MaxAutoPrepare = 64;
        var hosts = Hosts(settings);
        var replicas = hosts.Select((host, i) =>
        {
            // One host per pool: the multi-host options are ours to apply (Choose), not Npgsql's.
            var one = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
            {
                Host = host.Host, Port = host.Port, TargetSessionAttributes = null, LoadBalanceHosts = false,
            };
            // Named, so that the pool's metrics are labelled by this name rather than by the connection string.
            var name = hosts.Count == 1 ? "claimtracker-replica" : $"claimtracker-replica-{i + 1}";
            return new Replica($"{host.Host}:{host.Port}", name, new NpgsqlDataSourceBuilder(one.ConnectionString) { Name = name }.Build());
        });
        return new ReplicaSet([.. replicas]);
    }

    /// <summary>True when <paramref name="connectionString"/> is absent, or is a connection string with at least one host.</summary>
    public static bool IsValid(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return true;
        try
        {
            return Hosts(new NpgsqlConnectionStringBuilder(connectionString)).Count > 0;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// A replica to read from, or null for the primary: one that answered at the last poll, lags at most
    /// <paramref name="maxLag"/> and has replayed <paramref name="token"/> when the client sent one. Among several, any
    /// (picked at random, which spreads the reads).
    /// </summary>
    public Replica? Choose(NpgsqlLogSequenceNumber? token, TimeSpan maxLag)
    {
        if (_replicas.Length == 0) return null;
        var start = _replicas.Length == 1 ? 0 : Random.Shared.Next(_replicas.Length);
        for (var i = 0; i < _replicas.Length; i++)
        {
            var replica = _replicas[(start + i) % _replicas.Length];
            if (replica.State is { Usable: true, Lag: { } lag } state && lag <= maxLag && (token is not { } t || state.ReplayLsn >= t))
            {
                return replica;
            }
        }
        return null;
    }

    /// <summary>A query on <paramref name="replica"/> failed to reach it: skip it until the monitor sees it answer again.</summary>
    public static void MarkDown(Replica replica, string problem)
    {
        replica.State = ReplicaState.Down(problem);
        // Its idle connections are likely dead too (a restart ends them all): the next ones are opened afresh.
        replica.DataSource.Clear();
    }

    /// <summary>The hosts of a (possibly multi-host) connection string, as Npgsql reads them: `host` or `host:port`, comma-separated.</summary>
    internal static List<(string Host, int Port)> Hosts(NpgsqlConnectionStringBuilder settings)
    {
        var hosts = new List<(string, int)>();
        foreach (var entry in (settings.Host ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // `[::1]:5433` or `db:5433`; a bare IPv6 address (several colons, no brackets) has no port.
            var colon = entry.LastIndexOf(':');
            var hasPort = colon > 0 && (entry.StartsWith('[') ? entry[colon - 1] == ']' : entry.IndexOf(':') == colon)
                          && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _);
            var host = hasPort ? entry[..colon] : entry;
            var port = hasPort ? int.Parse(entry[(colon + 1)..], CultureInfo.InvariantCulture) : settings.Port;
            hosts.Add((host.Trim('[', ']'), port));
        }
        if (hosts.Count == 0) throw new ArgumentException($"ConnectionStrings:{ConnectionStringName} names no host.");
        return hosts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas) await replica.DataSource.DisposeAsync();
    }
}
