using ClaimTracker.Api.Data.Seed;
using ClaimTracker.LocalPostgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ClaimTracker.Api.Data;

/// <summary>Where the database is: configured, or the embedded default started at launch.</summary>
public sealed class DatabaseEndpoint : IAsyncDisposable
{
    private string? _connectionString;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database has not been initialised yet.");

    public LocalPostgresCluster? Embedded { get; private set; }

    internal void Use(string connectionString, LocalPostgresCluster? embedded = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Prepared statements for hot queries, unless the operator chose otherwise.
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        _connectionString = builder.ConnectionString;
        Embedded = embedded;
    }

    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null) await Embedded.DisposeAsync();
    }
}

public static class DatabaseSetup
{
    public const string ConnectionStringName = "ClaimTracker";
    private const string EmbeddedDatabaseName = "claimtracker";
    private static readonly TimeSpan MaxStartupRetryDelay = TimeSpan.FromSeconds(5);

    public static void AddClaimTrackerDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatabaseEndpoint>();
        builder.Services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<DatabaseEndpoint>().ConnectionString));
        builder.Services.AddDbContextPool<ClaimTrackerDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention());
    }

    /// <summary>
    /// Resolves the database (starting the embedded PostgreSQL when no connection string is configured),
    /// applies migrations and seeds the story. Runs before the server accepts requests.
    /// </summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClaimTracker.Database");
        var endpoint = app.Services.GetRequiredService<DatabaseEndpoint>();
        var configured = app.Configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            endpoint.Use(configured);
            logger.LogInformation("Using the configured database (ConnectionStrings:{Name}).", ConnectionStringName);
            await WaitForDatabaseAsync(app, logger);
        }
        else
        {
            var dataDirectory = app.Configuration["LocalDatabase:DataDirectory"]
                                ?? Path.Combine(app.Environment.ContentRootPath, ".localdb", "postgres");
            var cluster = await LocalPostgresCluster.StartAsync(dataDirectory, stopOnDispose: true, app.Lifetime.ApplicationStopping);
            if (!await cluster.DatabaseExistsAsync(EmbeddedDatabaseName)) await cluster.CreateDatabaseAsync(EmbeddedDatabaseName);
            endpoint.Use(cluster.ConnectionString(EmbeddedDatabaseName), cluster);
            logger.LogInformation(
                "No ConnectionStrings:{Name} configured: {Action} the embedded PostgreSQL in {DataDirectory} on 127.0.0.1:{Port} " +
                "(data kept between runs; delete the folder to start afresh).",
                ConnectionStringName, cluster.Reused ? "reusing" : "started", cluster.DataDirectory, cluster.Port);
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        // Creating the history table first spares a fresh database EF's logged "relation does not exist" error.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(app.Lifetime.ApplicationStopping);
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping);
        if (app.Configuration.GetValue("Seed:Enabled", true))
        {
            var seeded = await StorySeed.SeedAsync(db, app.Lifetime.ApplicationStopping);
            logger.LogInformation(seeded
                ? "Seeded the ByteDance AI-chips story ({Claims} claims)."
                : "The ByteDance AI-chips story is already seeded ({Claims} claims); nothing added.", StorySeed.ClaimCount);
        }
    }

    /// <summary>
    /// A configured database that does not answer yet (a container starting beside this one, a restart) is waited for,
    /// retrying with backoff up to `Database:StartupTimeoutSeconds` (default 60), so that a start-up race is not a crash.
    /// Past that the last failure is thrown, and the entry point reports it in one line.
    /// </summary>
    private static async Task WaitForDatabaseAsync(WebApplication app, ILogger logger)
    {
        var timeout = TimeSpan.FromSeconds(app.Configuration.GetValue("Database:StartupTimeoutSeconds", 60));
        var clock = app.Services.GetRequiredService<TimeProvider>();
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        var started = clock.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(app.Lifetime.ApplicationStopping);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && clock.GetElapsedTime(started) + delay < timeout)
            {
                logger.LogWarning("The database does not answer yet ({Reason}); retrying in {Delay} ms.", e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, clock, app.Lifetime.ApplicationStopping);
                delay = delay * 2 < MaxStartupRetryDelay ? delay * 2 : MaxStartupRetryDelay;
            }
        }
    }
}
