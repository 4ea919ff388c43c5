using ClaimTracker.Api;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.ClaimReviews;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.LocalPostgres;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddClaimTracker();

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
// `-- import claimreview FILE` imports a ClaimReview file instead of serving
if (ClaimReviewCommands.IsCommand(args))
{
    var exitCode = await ClaimReviewCommands.RunAsync(app, args);
    await app.DisposeAsync();
    return exitCode;
}
await ApiKeyCommands.EnsureBootstrapAdminAsync(app);

app.UseClaimTracker();

await app.RunAsync();
return Environment.ExitCode; // 0, unless a background service stopped the API for a reason it logged (e.g. the watchdog)

/// <summary>The entry point; public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
