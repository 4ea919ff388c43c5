using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>The API with traces on (`Telemetry:Traces`) and an in-memory exporter beside whatever it exports.</summary>
public sealed class TracedApp : ClaimTrackerApp
{
    public List<Activity> Spans { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:Traces", "true");
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }
}

/// <summary>
/// `/metrics` in Prometheus text with the framework's meters and the API's own, read after the requests that move them;
/// and the spans of a request, read from an in-memory exporter: the request, its database commands, and no span for
/// probes or streams.
/// </summary>
public sealed class TelemetryTests(TracedApp app) : IClassFixture<TracedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> MetricsAsync()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The value of a counter series (0 when it has not appeared yet).</summary>
    private static double Value(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal) || l.StartsWith(series + "{", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task MetricsShowTheFrameworksMetersAndTheApisOwnMovingWithTheRequests()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var claim = (await app.AddClaimsAsync(await app.AddEntityAsync("metrics"), 1))[0];
        var before = Value(await MetricsAsync(), "claimtracker_claimtracker_status_changes");

        using var read = await editor.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
        {
            Content = JsonContent.Create(new { status = "in_review", reason = "Checking the figures." }),
        };
        put.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.Tag);
        using (var changed = await editor.SendAsync(put, Ct)) Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var metrics = await MetricsAsync();
        // At least this test's change (other test classes of the process may add theirs at the same time).
        Assert.True(Value(metrics, "claimtracker_claimtracker_status_changes") >= before + 1, "the status change is not counted");
        // prometheus-net names a series {meter}_{instrument}; (Kestrel's meter speaks only under Kestrel, not the test server.)
        Assert.Matches(new Regex("^microsoft_aspnetcore_hosting_http_server_request_duration_count\\{.*http_route=\"/api/v1/claims/\\{idOrSlug\\}/status\"", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex("^npgsql_db_client_operation_duration_count", RegexOptions.Multiline), metrics);
        // The API's pool is labelled by its name, not by its connection string.
        Assert.Contains("npgsql_db_client_connection_count{db_client_connection_pool_name=\"claimtracker\"", metrics);
        Assert.Matches(new Regex("^microsoft_entityframeworkcore_microsoft_entityframeworkcore_queries", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex("^system_runtime_dotnet_gc_collections", RegexOptions.Multiline), metrics);
        Assert.DoesNotMatch(new Regex("^private_", RegexOptions.Multiline), metrics); // only the meters chosen
        Assert.Matches(new Regex("^claimtracker_claimtracker_webhooks_deliveries_pending ", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex("^claimtracker_claimtracker_webhooks_status_changes_waiting ", RegexOptions.Multiline), metrics);
    }

    /// <summary>
    /// A process of its own (in this test process other hosts have long touched the meter): its first scrape already shows
    /// the API's gauges, before any request used the meter.
    /// </summary>
    [Fact]
    public async Task AFreshInstanceShowsItsOwnGaugesFromTheFirstScrape()
    {
        await using var api = ApiProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimTracker"] = await PostgresServer.Current.CreateDatabaseAsync(),
        });
        using var client = new HttpClient { BaseAddress = await api.ListeningAsync(TimeSpan.FromSeconds(60), Ct) };
        var metrics = await client.GetStringAsync("/metrics", Ct);
        Assert.Matches(new Regex("^claimtracker_claimtracker_webhooks_deliveries_pending ", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex("^claimtracker_claimtracker_webhooks_status_changes_waiting ", RegexOptions.Multiline), metrics);
    }

    /// <summary>The exported spans, once one matches <paramref name="wanted"/> or 10 s have passed.</summary>
    private async Task<Activity[]> SpansOnceAsync(Func<Activity, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            // The exporter adds without a lock: copy (no enumerator to invalidate) and drop a slot caught mid-resize.
            Activity[] spans = [.. app.Spans.ToArray().Where(s => s is not null)];
            if (spans.Any(wanted) || DateTime.UtcNow > deadline) return spans;
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task ARequestIsTracedWithItsDatabaseCommandsAndProbesAndStreamsAreNot()
    {
        using var client = app.CreateClient();
        // A path no other test requests: the exporter hears every host of the test process.
        var path = $"/api/v1/claims/{(await app.AddClaimsAsync(await app.AddEntityAsync("traced"), 1))[0].Slug}";
        using (var response = await client.GetAsync(path, Ct)) Assert.True(response.IsSuccessStatusCode);
        using (var response = await client.GetAsync("/health/live", Ct)) Assert.True(response.IsSuccessStatusCode);

        // The server span is exported when the host's activity stops, which can be just after the client has read the
        // response: wait for it (at most 10 s) rather than read the exporter once.
        var spans = await SpansOnceAsync(s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == path);
        var request = Assert.Single(spans, s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == path);
        Assert.Equal("/api/v1/claims/{idOrSlug}", request.GetTagItem("http.route"));
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.TraceId == request.TraceId && s.Source.Name.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, s => ((string?)s.GetTagItem("url.path"))?.StartsWith("/health", StringComparison.Ordinal) == true);
    }
}
