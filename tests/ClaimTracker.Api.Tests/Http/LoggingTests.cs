using System.Net;
using System.Text.Json;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>
/// The API run as built, in Production: every line it writes is one JSON object with a UTC timestamp; each request is one
/// line with its method, path, route, status and duration (none for probes and the scraper), the request's trace and span ids, and nothing of its key or
/// query string.
/// </summary>
public sealed class LoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProductionWritesJsonLinesAndOneLinePerRequestWithoutKeysOrQueries()
    {
        await using var api = ApiProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimTracker"] = await PostgresServer.Current.CreateDatabaseAsync(),
        });
        using var client = new HttpClient { BaseAddress = await api.ListeningAsync(TimeSpan.FromSeconds(60), Ct) };
        const string key = "not-a-key-0123456789-secret";
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/claims/bytedance-ai-chips-budget-2025?lang=it&q=zanardellisecret"))
        {
            request.Headers.Add("X-Api-Key", key);
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode); // an unknown key is refused, not ignored
        }
        // Probes and the scraper ask every few seconds: no line for them.
        using (var probe = await client.GetAsync("/health/live", Ct)) Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        using (var scrape = await client.GetAsync("/metrics", Ct)) Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        using (var response = await client.GetAsync("/api/v1/claims/bytedance-ai-chips-budget-2025", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The line of the last request is written as it ends: wait for both.
        List<JsonElement> requests = [];
        for (var waited = 0; waited < 100 && requests.Count < 2; waited++)
        {
            requests = [.. Lines(api.Output).Where(l => l.GetProperty("Category").GetString() == ClaimTrackerLogging.RequestCategory)];
            if (requests.Count < 2) await Task.Delay(100, Ct);
        }

        var lines = Lines(api.Output);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith("Z", l.GetProperty("Timestamp").GetString()));
        Assert.Equal(2, requests.Count);
        var (refused, served) = (requests[0].GetProperty("State"), requests[1].GetProperty("State"));
        Assert.Equal(("GET", "/api/v1/claims/bytedance-ai-chips-budget-2025", "401"),
            (refused.GetProperty("Method").GetString(), refused.GetProperty("Path").GetString(), Text(refused.GetProperty("StatusCode"))));
        Assert.Equal(("200", "/api/v1/claims/{idOrSlug}"), (Text(served.GetProperty("StatusCode")), served.GetProperty("Route").GetString()));
        Assert.True(double.Parse(Text(served.GetProperty("Duration")), System.Globalization.CultureInfo.InvariantCulture) > 0);
        var scope = requests[1].GetProperty("Scopes").EnumerateArray().First(s => s.TryGetProperty("TraceId", out _));
        Assert.Matches("^[0-9a-f]{32}$", scope.GetProperty("TraceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", scope.GetProperty("SpanId").GetString());
        Assert.DoesNotContain(key, api.Output);
        Assert.DoesNotContain("zanardellisecret", api.Output);
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>Every line written, each parsed as one JSON object (a line that is not is a failure).</summary>
    private static List<JsonElement> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line =>
            {
                try
                {
                    return JsonDocument.Parse(line).RootElement;
                }
                catch (JsonException)
                {
                    throw new Xunit.Sdk.XunitException($"Not a JSON line: {line}");
                }
            })];
}
