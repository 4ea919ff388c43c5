using System.Diagnostics.Metrics;
using System.Globalization;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Replicas;
using ClaimTracker.Api.Telemetry;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.LocalPostgres;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Api.Tests.Replicas;

/// <summary>
/// A primary of its own (so that its forced lag touches no other test, and the base backup copies little) and a real
/// streaming replica of it made with `pg_basebackup -R`, plus the API on both (`Database:MaxReplicaLagSeconds` 30, so
/// that a replica held back on purpose is still used). Both clusters are stopped and deleted at the end.
/// </summary>
public sealed class ReplicaPair : IAsyncLifetime
{
    private const string Database = "claimtracker";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"claimtracker-replica-tests-{Guid.NewGuid():N}");
    private LocalPostgresCluster? _primary;
    private LocalPostgresCluster? _replica;

    public LocalPostgresCluster Primary => _primary ?? throw new InvalidOperationException("Not started.");
    public LocalPostgresCluster Replica => _replica ?? throw new InvalidOperationException("Not started.");
    public ReplicatedApp App { get; private set; } = null!;

    public string PrimaryConnectionString => Primary.ConnectionString(Database);
    public string ReplicaConnectionString => Replica.ConnectionString(Database);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _primary = await LocalPostgresCluster.StartAsync(Path.Combine(_directory, "primary"), durable: false);
        await _primary.CreateDatabaseAsync(Database);
        // Copied while the database is empty; the schema and the seed reach the replica as WAL, like everything after.
        _replica = await LocalPostgresCluster.StartReplicaAsync(_primary, Path.Combine(_directory, "replica"));
        App = new ReplicatedApp(this, maxLagSeconds: 30);
        await App.StartAsync();
    }

    /// <summary>Holds each commit back on the replica for <paramref name="delay"/> (zero: replays at once what it held).</summary>
    public async Task SetApplyDelayAsync(TimeSpan delay)
    {
        await Replica.SetApplyDelayAsync(delay, TestContext.Current.CancellationToken);
        var expected = ((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        // pg_reload_conf() only signals: wait until a new session sees the setting (the startup process is signalled with it).
        await Eventually.TrueAsync(async () =>
        {
            await using var connection = await OpenAsync(Replica.ConnectionString());
            await using var command = new NpgsqlCommand("SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'", connection);
            return (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) == expected;
        }, "the replica to take the new recovery_min_apply_delay");
    }

    /// <summary>Waits until the replica has replayed everything the primary has written.</summary>
    public async Task CatchUpAsync()
    {
        var target = await ScalarAsync<NpgsqlLogSequenceNumber>(Primary.ConnectionString(), "SELECT pg_current_wal_lsn()");
        await Eventually.TrueAsync(async () =>
            await ScalarAsync<NpgsqlLogSequenceNumber>(Replica.ConnectionString(), "SELECT pg_last_wal_replay_lsn()") >= target,
            "the replica to replay the primary's WAL");
    }

    /// <summary>The replica has replayed this claim's commit: its row is there.</summary>
    public async Task<bool> ReplicaHasClaimAsync(Guid id) =>
        await ScalarAsync<long>(ReplicaConnectionString, $"SELECT count(*) FROM claims WHERE id = '{id}'") == 1;

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        // Unpooled: the clusters are stopped at the end, and a pooled idle connection would outlive them.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (_replica is not null) await _replica.DisposeAsync();
        if (_primary is not null) await _primary.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}

/// <summary>The API on the pair's primary, reading from its replica.</summary>
public sealed class ReplicatedApp(ReplicaPair pair, int maxLagSeconds, int pollMilliseconds = 1000)
    : ClaimTrackerApp(pair.PrimaryConnectionString)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting($"ConnectionStrings:{ReplicaSet.ConnectionStringName}", pair.ReplicaConnectionString);
        builder.UseSetting($"{DatabaseOptions.Section}:{nameof(DatabaseOptions.MaxReplicaLagSeconds)}",
            maxLagSeconds.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting($"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ReplicaPollMilliseconds)}",
            pollMilliseconds.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Counts `claimtracker.reads` by the database that served them. The counter is static, but only apps with a replica
/// count, and only this class's apps have one (its tests run one at a time).
/// </summary>
public sealed class ReadCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _primary;
    private long _replica;

    public ReadCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClaimTrackerMetrics.MeterName && instrument.Name == "claimtracker.reads")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "database", Value: "replica" }) Interlocked.Add(ref _replica, value);
                else if (tag is { Key: "database", Value: "primary" }) Interlocked.Add(ref _primary, value);
            }
        });
        _listener.Start();
    }

    public (long Primary, long Replica) Counts => (Interlocked.Read(ref _primary), Interlocked.Read(ref _replica));

    public void Dispose() => _listener.Dispose();
}

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
