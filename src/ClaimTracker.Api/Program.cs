using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Timeline;
using ClaimTracker.LocalPostgres;

var builder = WebApplication.CreateBuilder(args);

// Storage: PostgreSQL, configured or embedded
builder.AddClaimTrackerDatabase();

// HTTP: JSON contract, ProblemDetails for every error, OpenAPI
builder.AddClaimTrackerHttp();
builder.AddClaimTrackerOpenApi();
builder.AddClaimTrackerHealth();

var app = builder.Build();

try
{
    await app.InitializeDatabaseAsync();
}
catch (LocalPostgresException e)
{
    app.Logger.LogCritical("Cannot start the embedded PostgreSQL. {Message}", e.Message);
    return 1;
}

app.UseClaimTrackerHttp();
app.UseClaimTrackerOpenApi();

// API
var api = app.MapGroup("/api/v1");
api.MapClaims();
api.MapClaimHistory();
api.MapSources();
api.MapEntities();
api.MapTimeline();

// Operations
app.MapClaimTrackerHealth();

await app.RunAsync();
return 0;

/// <summary>The entry point; public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
