using ClaimTracker.LocalPostgres;
using Npgsql;

[assembly: AssemblyFixture(typeof(ClaimTracker.Api.Tests.Infrastructure.PostgresServer))]

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL for the whole test run, started from the installed binaries, with a template
/// database migrated and seeded by the application itself. Each test class clones its own database from it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string TemplateDatabase = "claimtracker_template";
    private static PostgresServer? _current;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"claimtracker-tests-{Guid.NewGuid():N}");
    private LocalPostgresCluster? _cluster;
    private int _databases;

    /// <summary>The running server; set before any test class starts.</summary>
    public static PostgresServer Current => _current ?? throw new InvalidOperationException("The test PostgreSQL is not started.");

    public LocalPostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        // Throwaway: no flushes to disk, which only a power cut would need.
        _cluster = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: false);
        await _cluster.CreateDatabaseAsync(TemplateDatabase);
        // The template goes through the application's own start-up: migrations, then the seed.
        await using (var app = new ClaimTrackerApp(_cluster.ConnectionString(TemplateDatabase)))
        {
            await app.StartAsync();
        }
        NpgsqlConnection.ClearAllPools();
        _current = this;
    }

    /// <summary>A new database cloned from the migrated, seeded template.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"claimtracker_test_{Interlocked.Increment(ref _databases)}";
        await Cluster.CreateDatabaseAsync(name, TemplateDatabase);
        return Cluster.ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}
