using ClaimTracker.Api.Data;
using ClaimTracker.LocalPostgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClaimTracker.Benchmarks.Dataset;

/// <summary>The benchmark's private PostgreSQL cluster (in a folder of its own) and its databases, one per scale.</summary>
public static class BenchDatabase
{
    // Sized for a benchmark box (the dataset fits in memory); applied with ALTER SYSTEM, so only this cluster gets them.
    private static readonly (string Name, string Value)[] Settings =
    [
        ("shared_buffers", "1GB"), ("maintenance_work_mem", "1GB"), ("work_mem", "16MB"), ("max_wal_size", "16GB"),
        ("checkpoint_timeout", "30min"), ("effective_cache_size", "8GB"), ("max_parallel_maintenance_workers", "2"),
        // The webhook outbox lag is measured from each status change's commit (pg_xact_commit_timestamp), as its target says.
        ("track_commit_timestamp", "on"),
    ];

    public static string DatabaseName(int claims) => $"claimtracker_bench_{claims}";

    /// <summary>
    /// Starts (or adopts) the cluster in <paramref name="directory"/>, tuned; restarts it once when a setting needs it.
    /// Not durable (`fsync` off), as the figures recorded so far were measured: each endpoint is compared with its floor on
    /// this same server, and what durability costs status writes is measured apart (chain-ceiling/README.md).
    /// </summary>
    public static async Task<LocalPostgresCluster> StartAsync(string directory, CancellationToken cancellationToken)
    {
        var cluster = await LocalPostgresCluster.StartAsync(directory, stopOnDispose: true, durable: false, cancellationToken);
        await using (var connection = await OpenAsync(cluster.ConnectionString(), cancellationToken))
        {
            var pendingRestart = false;
            foreach (var (name, value) in Settings)
            {
                await Execute(connection, $"ALTER SYSTEM SET {name} = '{value}'", cancellationToken);
            }
            await Execute(connection, "SELECT pg_reload_conf()", cancellationToken);
            await using var check = new NpgsqlCommand("SELECT bool_or(pending_restart) FROM pg_settings", connection);
            pendingRestart = await check.ExecuteScalarAsync(cancellationToken) is true;
            if (!pendingRestart) return cluster;
        }
        await cluster.StopAsync();
        return await LocalPostgresCluster.StartAsync(directory, stopOnDispose: true, durable: false, cancellationToken);
    }

    /// <summary>Drops and creates <paramref name="database"/>, then migrates it with the API's own migrations.</summary>
    public static async Task<string> CreateMigratedAsync(LocalPostgresCluster cluster, string database, CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cluster.ConnectionString(), cancellationToken))
        {
            await Execute(connection, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", cancellationToken);
        }
        await cluster.CreateDatabaseAsync(database, cancellationToken: cancellationToken);
        var connectionString = cluster.ConnectionString(database);
        await using var db = CreateDbContext(connectionString);
        await db.Database.MigrateAsync(cancellationToken);
        return connectionString;
    }

    public static ClaimTrackerDbContext CreateDbContext(string connectionString) =>
        new(new DbContextOptionsBuilder<ClaimTrackerDbContext>()
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .Options);

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
