using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Checks;
using ClaimTracker.Api.ClaimPages;
using ClaimTracker.Api.ClaimReviews;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Idempotency;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Replicas;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Stats;
using ClaimTracker.Api.Telemetry;
using ClaimTracker.Api.Timeline;
using ClaimTracker.Api.Webhooks;

namespace ClaimTracker.Api;

/// <summary>
/// The API's services and its HTTP pipeline, shared by the entry point (Program.cs, which also prepares the database
/// and runs) and by <see cref="SwaggerHostFactory"/> (which only describes the endpoints).
/// </summary>
public static class ClaimTrackerHost
{
    public static void AddClaimTracker(this WebApplicationBuilder builder)
    {
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

        // HTTP: JSON contract, ProblemDetails for every error, OpenAPI, health; logs
        builder.AddClaimTrackerHttp();
        builder.AddClaimTrackerCrossOrigin();
        builder.AddClaimTrackerLogging();
        builder.AddClaimTrackerTelemetry();
        builder.AddClaimTrackerOpenApi();
        builder.AddClaimTrackerHealth();
    }

    public static void UseClaimTracker(this WebApplication app)
    {
        app.UseHttpLogging(); // first: its line times the whole request, whatever answers it
        app.UseClaimTrackerHttp();
        // Before the dashboard's files and the keys: a preflight carries no key, and every response gets the headers
        app.UseClaimTrackerCrossOrigin();
        // Dashboard: the page at `/` and its files (wwwroot) are public, so they come before keys and rate limits
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        // After authentication, so that each API key has its own budget
        app.UseRateLimiter();
        app.UseAuthorization();
        // After authentication, which reads keys from the primary: a read's queries may then go to a replica
        app.UseClaimTrackerReadRouting();
        app.UseClaimTrackerIdempotency();
        app.UseClaimTrackerOpenApi();

        // API: reads for readers (and anonymous callers unless configured off); writes need more, per endpoint
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read);
        api.MapClaims();
        api.MapClaimReviewFeed();
        api.MapImports();
        api.MapChanges();
        api.MapSources();
        api.MapEntities();
        api.MapTimeline();
        api.MapChecks();
        api.MapStats();
        api.MapApiKeys();
        api.MapWebhooks();

        // Pages: a claim's public page (HTML), beside the dashboard
        app.MapClaimPages();

        // Operations
        app.MapClaimTrackerHealth();
        app.MapClaimTrackerMetrics();
    }
}

/// <summary>
/// What `dotnet swagger tofile` (the Swashbuckle CLI) builds instead of running Program.cs: the same services and
/// endpoints, and nothing started. Running the entry point would migrate or even start the embedded PostgreSQL (and
/// leave it running) just to write docs/openapi.json.
/// </summary>
public static class SwaggerHostFactory
{
    public static IHost CreateHost()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.AddClaimTracker();
        var app = builder.Build();
        app.UseClaimTracker();
        // A running app hands its endpoints to routing when it starts; this one never starts, so hand them over here
        // (UseEndpoints registers the app's endpoint sources, which the API explorer reads).
        app.UseRouting();
        app.UseEndpoints(_ => { });
        return app;
    }
}
