using System.ComponentModel.DataAnnotations;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Replicas;
using ClaimTracker.LocalPostgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

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

/// <summary>The configured database (`ConnectionStrings:ClaimTracker` names it).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    [Range(1, 3600, ErrorMessage = "Database:StartupTimeoutSeconds must be 1–3600.")]
    public int StartupTimeoutSeconds { get; set; } = 60;

    /// <summary>A replica further behind the primary than this is skipped; its reads go to the primary or another replica.</summary>
    [Range(1, 3600, ErrorMessage = "Database:MaxReplicaLagSeconds must be 1–3600.")]
    public int MaxReplicaLagSeconds { get; set; } = 5;

    /// <summary>How often the primary's and the replicas' WAL positions are read: what a request knows of a replica is this old at most.</summary>
    [Range(100, 60000, ErrorMessage = "Database:ReplicaPollMilliseconds must be 100–60000.")]
    public int ReplicaPollMilliseconds { get; set; } = 1000;
}

/// <summary>The embedded PostgreSQL, started when no connection string is configured.</summary>
public sealed class LocalDatabaseOptions
{
    public const string Section = "LocalDatabase";

    /// <summary>The data folder; null for `.localdb/postgres` beside the app's content root.</summary>
    public string? DataDirectory { get; set; }

    [Range(1, 3600, ErrorMessage = "LocalDatabase:RestartTimeoutSeconds must be 1–3600.")]
    public int RestartTimeoutSeconds { get; set; } = 60;
}

/// <summary>The story seeded at start-up.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    public bool Enabled { get; set; } = true;
}

public static class DatabaseSetup
{
    public const string ConnectionStringName = "ClaimTracker";
    private const string EmbeddedDatabaseName = "claimtracker";

    public static void AddClaimTrackerDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<DatabaseOptions>(DatabaseOptions.Section)
            // Not echoed: a connection string may hold a password.
            .Validate<IConfiguration>(
                (_, configuration) => ReplicaSet.IsValid(configuration.GetConnectionString(ReplicaSet.ConnectionStringName)),
                $"ConnectionStrings:{ReplicaSet.ConnectionStringName} must be an Npgsql connection string naming one host or " +
                "several (e.g. Host=replica1,replica2:5433;Username=claimtracker;Password=…;Database=claimtracker).");
        builder.Services.AddValidatedSettings<LocalDatabaseOptions>(LocalDatabaseOptions.Section);
        builder.Services.AddValidatedSettings<SeedOptions>(SeedOptions.Section);
        builder.Services.AddSingleton<DatabaseEndpoint>();
        // Named: its metrics (db.client.*) are labelled by this name, not by the connection string (host, user, database).
        builder.Services.AddSingleton(sp => new NpgsqlDataSourceBuilder(sp.GetRequiredService<DatabaseEndpoint>().ConnectionString) { Name = "claimtracker" }.Build());
        builder.AddClaimTrackerReplicas();
        builder.Services.AddPooledDbContextFactory<ClaimTrackerDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention()
            // A failed command reaches the request's exception handling, which logs it once, as what it answered (a 503 in
            // one line, a 500 with its stack trace): EF's own error lines would say it again, stack trace and all.
            .ConfigureWarnings(w => w.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug))));
        // One pooled context per request (what AddDbContextPool registers), starting on the primary: with replicas, a context
        // keeps its connection across leases, so one that served a read from a replica (ReadRouting) is pointed back here.
        builder.Services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<IDbContextFactory<ClaimTrackerDbContext>>().CreateDbContext();
            if (sp.GetRequiredService<ReplicaSet>().Enabled)
            {
                db.Database.SetDbConnection(sp.GetRequiredService<NpgsqlDataSource>().CreateConnection(), contextOwnsConnection: true);
            }
            return db;
        });
        builder.Services.AddHostedService<EmbeddedPostgresWatchdog>();
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
            var local = app.Services.GetRequiredService<IOptions<LocalDatabaseOptions>>().Value;
            var dataDirectory = local.DataDirectory ?? Path.Combine(app.Environment.ContentRootPath, ".localdb", "postgres");
            // Durable: a journalist's work kept here must survive a power cut (docs/decisions/001-embedded-postgresql.md).
            var cluster = await LocalPostgresCluster.StartAsync(
                dataDirectory, stopOnDispose: true, durable: true, app.Lifetime.ApplicationStopping);
            if (!await cluster.DatabaseExistsAsync(EmbeddedDatabaseName)) await cluster.CreateDatabaseAsync(EmbeddedDatabaseName);
            endpoint.Use(cluster.ConnectionString(EmbeddedDatabaseName), cluster);
            logger.LogInformation(
                "No ConnectionStrings:{Name} configured: {Action} the embedded PostgreSQL in {DataDirectory} on 127.0.0.1:{Port} " +
                "(data kept between runs; delete the folder to start afresh).",
                ConnectionStringName, cluster.Reused ? "reusing" : "started", cluster.DataDirectory, cluster.Port);
        }

        // Instances starting at once on an empty database would race to create the same tables: one at a time.
        await using var startup = await DatabaseLocks.HoldStartupLockAsync(app.Services.GetRequiredService<NpgsqlDataSource>(),
            () => logger.LogInformation("Another instance is migrating or seeding this database; waiting for it to finish."),
            app.Lifetime.ApplicationStopping);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        // Creating the history table first spares a fresh database EF's logged "relation does not exist" error.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(app.Lifetime.ApplicationStopping);
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping);
        if (app.Services.GetRequiredService<IOptions<SeedOptions>>().Value.Enabled)
        {
            var seeded = await StorySeed.SeedAsync(db, app.Lifetime.ApplicationStopping);
            logger.LogInformation(seeded
                ? "Seeded the ByteDance AI-chips story ({Claims} claims)."
                : "The ByteDance AI-chips story is already seeded ({Claims} claims); nothing added.", StorySeed.ClaimCount);
        }
    }

    /// <summary>
    /// Retries what may succeed soon (<paramref name="retryable"/>), with exponential backoff from 250 ms to 5 s, for at
    /// most <paramref name="timeout"/>; past that the last failure is thrown as it is, so that the caller can name it.
    /// </summary>
    internal static ResiliencePipeline Patiently(
        TimeSpan timeout, TimeProvider clock, Func<Exception, bool> retryable, Action<Exception, TimeSpan> onRetry)
    {
        var started = clock.GetTimestamp();
        var remaining = () => timeout - clock.GetElapsedTime(started);
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && retryable(e) && remaining() > TimeSpan.Zero),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(TimeSpan.FromMilliseconds(Math.Min(
                    250 * Math.Pow(2, Math.Min(args.AttemptNumber, 10)), Math.Clamp(remaining().TotalMilliseconds, 0, 5000)))),
                OnRetry = args =>
                {
                    onRetry(args.Outcome.Exception!, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// A configured database that does not answer yet (a container starting beside this one, a restart) is waited for,
    /// retrying with backoff up to `Database:StartupTimeoutSeconds`, so that a start-up race is not a crash. Past that
    /// the last failure is thrown, and the entry point reports it in one line.
    /// </summary>
    private static async Task WaitForDatabaseAsync(WebApplication app, ILogger logger)
    {
        var timeout = TimeSpan.FromSeconds(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.StartupTimeoutSeconds);
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        var pipeline = Patiently(timeout, app.Services.GetRequiredService<TimeProvider>(),
            e => e is NpgsqlException { IsTransient: true },
            (e, delay) => logger.LogWarning("The database does not answer yet ({Reason}); retrying in {Delay} ms.",
                e.Message, delay.TotalMilliseconds));
        await pipeline.ExecuteAsync(async ct =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
        }, app.Lifetime.ApplicationStopping);
    }
}
