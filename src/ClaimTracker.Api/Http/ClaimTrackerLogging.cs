using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Logging.Console;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Logs as an operator's tools read them: in Production JSON lines (the built-in JSON console formatter; its settings are
/// in appsettings.Production.json, so `Logging__Console__FormatterName=simple` brings text back), each with the trace
/// and span ids of its request and a UTC timestamp; and one line per request — method, path, route, status, duration —
/// never a body, a header or a query string, so no key and no search term reaches the log.
/// </summary>
public static class ClaimTrackerLogging
{
    public const string RequestCategory = "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware";

    public static void AddClaimTrackerLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // Messages stay readable: names with accents, apostrophes and dashes are written as they are, not as \uXXXX.
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
            options.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        builder.Services.AddHttpLogging(options =>
        {
            options.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                                    | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            options.CombineLogs = true; // one line per request, written when it ends
        });
        builder.Services.AddHttpLoggingInterceptor<RouteInterceptor>();
    }

    /// <summary>Adds the endpoint's route template (`/api/v1/claims/{idOrSlug}`): requests grouped by what they ran.</summary>
    private sealed class RouteInterceptor : IHttpLoggingInterceptor
    {
        public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;

        public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
        {
            // An endpoint that logs nothing (WithHttpLogging(None): probes, the scraper) gets no line for its route alone.
            if (logContext.LoggingFields != HttpLoggingFields.None && logContext.HttpContext.GetEndpoint() is RouteEndpoint endpoint)
            {
                logContext.AddParameter("Route", endpoint.RoutePattern.RawText);
            }
            return ValueTask.CompletedTask;
        }
    }
}
