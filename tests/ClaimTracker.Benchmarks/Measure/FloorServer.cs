using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// The framework floor: a bare minimal ASP.NET Core app serving the measured URLs with the captured SQL through raw
/// Npgsql and writing the API's own response records with the API's JSON options. What it lacks, next to the API, is
/// EF Core and the API's middleware (authentication for reads, rate limiter, idempotency, problem details).
/// </summary>
public static class FloorServer
{
    public static WebApplication Build(FloorQueries queries, BestStatements best, Workload workload, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(options => options.AddServerHeader = false);
        builder.Services.ConfigureHttpJsonOptions(options => HttpSetup.Configure(options.SerializerOptions));
        var app = builder.Build();

        var lists = workload.Endpoints.Where(e => e.Kind is EndpointKind.List or EndpointKind.Search && e.Pending is null)
            .ToDictionary(e => new Uri(new Uri("http://x"), e.PathAndQuery).Query, e => e.Name);

        app.MapGet("/api/v1/claims/{id:guid}", async (Guid id, HttpContext http, CancellationToken cancellationToken) =>
        {
            var row = await queries.GetDetailAsync(id, cancellationToken);
            if (row is null) return Results.NotFound();
            // The API's own presentation (the reader's language, ETag and Content-Language): it is part of the answer.
            var claim = ClaimLanguages.Respond(http, row, ClaimLanguages.Preference(http.Request, null, new ValidationErrors()));
            return ETags.IfNoneMatchHits(http.Request, http.Response.Headers.ETag.ToString()) ? Results.StatusCode(304) : TypedResults.Ok(claim);
        });

        app.MapGet("/api/v1/claims", async (HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!lists.TryGetValue(http.Request.QueryString.Value ?? "", out var name)) return Results.NotFound();
            var page = await queries.ListAsync(name, cancellationToken);
            PageLinks.SetNextLink(http, page.NextCursor);
            return TypedResults.Ok(ClaimLanguages.RespondPage(http, page, ClaimLanguages.Preference(http.Request, null, new ValidationErrors())));
        });

        // (d): the best statement's JSON as PostgreSQL wrote it, with the API's headers (English, the benchmark's language).
        app.MapGet(BestStatements.Prefix + "/api/v1/claims/{id:guid}", async (Guid id, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (await best.DetailAsync(id, cancellationToken) is not { } row) return Results.NotFound();
            ClaimLanguages.SetHeaders(http, [ClaimLanguages.Canonical]);
            http.Response.Headers.ETag = ETags.For(row.Version);
            return ETags.IfNoneMatchHits(http.Request, http.Response.Headers.ETag.ToString())
                ? Results.StatusCode(304)
                : Results.Text(row.Json, "application/json; charset=utf-8");
        });

        app.MapGet(BestStatements.Prefix + "/api/v1/claims", async (HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!lists.TryGetValue(http.Request.QueryString.Value ?? "", out var name) || !BestStatements.Endpoints.Contains(name)) return Results.NotFound();
            var (json, next) = await best.ListAsync(name, cancellationToken);
            PageLinks.SetNextLink(http, next);
            ClaimLanguages.SetHeaders(http, [ClaimLanguages.Canonical]);
            return Results.Text(json, "application/json; charset=utf-8");
        });

        app.MapPost("/api/v1/claims/match", async (MatchRequest request, HttpContext http, CancellationToken cancellationToken) =>
        {
            // No validation (the measured body is valid); the language as the API reads it, the default limit when none.
            var language = MatchingApi.Language(request.Language, new ValidationErrors());
            var outcome = await queries.MatchAsync(request.Text.Trim(), language, request.Limit ?? MatchingApi.DefaultLimit, cancellationToken);
            return TypedResults.Ok(MatchingApi.Respond(http, outcome.Matches, outcome.Claims,
                ClaimLanguages.Preference(http.Request, null, new ValidationErrors())));
        });

        app.MapPut("/api/v1/claims/{id:guid}/status", async (Guid id, ChangeStatusRequest request, HttpContext http, CancellationToken cancellationToken) =>
        {
            var outcome = await queries.ChangeStatusAsync(id, http.Request.Headers.IfMatch.FirstOrDefault(), request.Status, request.Reason,
                http.Request.Headers[ApiKeyAuthentication.HeaderName].FirstOrDefault(), cancellationToken);
            if (outcome.Claim is not { } row) return Results.StatusCode(outcome.Status);
            return TypedResults.Ok(ClaimLanguages.Respond(http, row, ClaimLanguages.Preference(http.Request, null, new ValidationErrors())));
        });
        return app;
    }
}
