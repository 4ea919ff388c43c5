using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Checks;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Idempotency;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Stats;
using ClaimTracker.Api.Timeline;
using ClaimTracker.Api.Webhooks;
using ClaimTracker.LocalPostgres;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

// Storage: PostgreSQL, configured or embedded
builder.AddClaimTrackerDatabase();
builder.AddClaimTrackerSearch();
builder.AddClaimTrackerMatching();
builder.AddClaimTrackerClaimReview();
builder.AddClaimTrackerChangeStream();
builder.AddClaimTrackerStats();
builder.AddClaimTrackerWebhooks();

// Access: API keys and roles
builder.AddClaimTrackerAuth();
builder.AddClaimTrackerRateLimiting();
builder.AddClaimTrackerIdempotency();

// HTTP: JSON contract, ProblemDetails for every error, OpenAPI, health
builder.AddClaimTrackerHttp();
builder.AddClaimTrackerOpenApi();
builder.AddClaimTrackerHealth();

var app = builder.Build();

// Settings first: a bad one stops start-up with one line naming it, before any database is touched
try
{
    app.Services.GetRequiredService<IStartupValidator>().Validate();
}
catch (Exception e) when (ValidatedSettings.Describe(e) is { } problem)
{
    app.Logger.LogCritical("Invalid configuration: {Problem}", problem);
    await app.DisposeAsync(); // the console logger writes on its own thread: flush the line before exiting
    return 1;
}

try
{
    await app.InitializeDatabaseAsync();
}
catch (LocalPostgresException e)
{
    app.Logger.LogCritical("Cannot start the embedded PostgreSQL. {Message}", e.Message);
    await app.DisposeAsync();
    return 1;
}
catch (Exception e) when (DatabaseFailures.Find(e) is { } failure)
{
    var database = new Npgsql.NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<DatabaseEndpoint>().ConnectionString);
    app.Logger.LogCritical("Cannot use the database {Database} on {Host}:{Port}: {Message}",
        database.Database, database.Host, database.Port, failure.Message);
    await app.DisposeAsync();
    return 1;
}

// `-- keys create --name N --role R` runs a command instead of the server
if (ApiKeyCommands.IsCommand(args))
{
    var exitCode = await ApiKeyCommands.RunAsync(app, args);
    await app.DisposeAsync(); // stops the embedded PostgreSQL, if it started one
    return exitCode;
}
await ApiKeyCommands.EnsureBootstrapAdminAsync(app);

app.UseClaimTrackerHttp();
// Dashboard: the page at `/` and its files (wwwroot) are public, so they come before keys and rate limits
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
// After authentication, so that each API key has its own budget
app.UseRateLimiter();
app.UseAuthorization();
app.UseClaimTrackerIdempotency();
app.UseClaimTrackerOpenApi();

// API: reads for readers (and anonymous callers unless configured off); writes need more, per endpoint
var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read);
api.MapClaims();
api.MapChanges();
api.MapSources();
api.MapEntities();
api.MapTimeline();
api.MapChecks();
api.MapStats();
api.MapApiKeys();
api.MapWebhooks();

// Operations
app.MapClaimTrackerHealth();

await app.RunAsync();
return Environment.ExitCode; // 0, unless a background service stopped the API for a reason it logged (e.g. the watchdog)

/// <summary>The entry point; public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
