using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace ClaimTracker.Api.Telemetry;

/// <summary>
/// Traces, metrics and logs with OpenTelemetry (ASP.NET Core, HttpClient, runtime, Npgsql, EF Core's meter, the API's
/// own), sent over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the SDK reads the standard `OTEL_*` variables;
/// `Telemetry:Traces` turns traces on without it, for a test's in-memory exporter); `/metrics` in Prometheus text by
/// prometheus-net, which publishes every .NET meter (decision 015).
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "claimtracker";

    /// <summary>Requests left out of traces: probes, the scraper, and streams that last for hours.</summary>
    public static bool IsTraced(PathString path) =>
        !path.StartsWithSegments("/health") && !path.StartsWithSegments("/metrics")
        && !path.StartsWithSegments("/api/v1/changes/stream");

    public static void AddClaimTrackerTelemetry(this IHostApplicationBuilder builder)
    {
        // prometheus-net publishes the .NET meters (ASP.NET Core's, Kestrel's, Npgsql's, EF Core's, the runtime's, ours)
        // and the process's own figures.
        PrometheusDefaults.Value.ToString();

        // The OpenTelemetry SDK only when something is exported: an unexported trace still costs every request.
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var traces = otlp || builder.Configuration.GetValue<bool>("Telemetry:Traces");
        if (!traces) return;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => IsTraced(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        if (!otlp) return;
        telemetry
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Npgsql", "Microsoft.EntityFrameworkCore", ClaimTrackerMetrics.MeterName))
            .WithLogging()
            .UseOtlpExporter(); // endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables
    }

    /// <summary>The meters `/metrics` publishes (prometheus-net names each series `{meter}_{instrument}`).</summary>
    public static readonly IReadOnlySet<string> PublishedMeters = new HashSet<string>(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting",
        "System.Net.Http", "System.Runtime", "Npgsql", "Microsoft.EntityFrameworkCore", ClaimTrackerMetrics.MeterName,
    };

    private static readonly Lazy<bool> PrometheusDefaults = new(() =>
    {
        // The process's figures stay; the EventCounter adapter goes (the runtime's meter says the same). The default meter
        // adapter starts only at the first scrape, so what happened before it (a status change, a webhook's lag) was never
        // counted: ours starts listening now, at start-up, and publishes only the meters above (not, e.g., the QUIC
        // stack's private diagnostics). Once per process: the adapter is process-wide, as the meters are.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });
        MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => PublishedMeters.Contains(instrument.Meter.Name),
        });
        // The API's meter is created with its class: create it now, so that its gauges answer from the first scrape (the
        // pending deliveries' gauge was missing until some request happened to touch the class).
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(ClaimTrackerMetrics).TypeHandle);
        return true;
    });

    public static void MapClaimTrackerMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics("/metrics").WithName("GetMetrics").ExcludeFromDescription()
            .WithHttpLogging(Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None); // scraped every few seconds: no request line
}
