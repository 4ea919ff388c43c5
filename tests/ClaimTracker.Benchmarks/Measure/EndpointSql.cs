using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>One request to the real API and the SQL it ran.</summary>
public sealed record CapturedRequest(
    string Url, int Status, string Body, IReadOnlyList<CapturedCommand> Commands, TimeSpan Elapsed, StatusTarget? Target = null,
    string? RequestBody = null);

/// <summary>
/// Takes each hot endpoint's SQL from the real API: one request per endpoint to the API hosted in this process, with
/// EF Core's commands recorded. The floors replay exactly these commands.
/// </summary>
public static class EndpointSql
{
    public static async Task<Dictionary<string, CapturedRequest>> CaptureAsync(Workload workload, CancellationToken cancellationToken)
    {
        using var capture = new SqlCapture(new Npgsql.NpgsqlConnectionStringBuilder(workload.ConnectionString).Database!);
        capture.Start();
        await using var api = new InProcessApi(workload.ConnectionString);
        using var client = api.CreateClient();
        var result = new Dictionary<string, CapturedRequest>();

        async Task<CapturedRequest> Send(HttpRequestMessage request)
        {
            HttpResponseMessage? response = null;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var commands = await capture.RecordAsync(async () => response = await client.SendAsync(request, cancellationToken));
            using (response)
            {
                return new CapturedRequest(request.RequestUri!.ToString(), (int)response!.StatusCode,
                    await response.Content.ReadAsStringAsync(cancellationToken), commands, watch.Elapsed);
            }
        }

        // Warm-up (model building, first connection) outside the recording.
        using (await client.GetAsync($"/api/v1/claims/{workload.Ids[^1]}", cancellationToken)) { }

        foreach (var endpoint in workload.Endpoints.Where(e => e.Pending is null))
        {
            switch (endpoint.Kind)
            {
                case EndpointKind.ClaimById:
                    result[endpoint.Name] = await Send(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{workload.Ids[0]}"));
                    break;
                case EndpointKind.StatusUpdate:
                    var target = (await Workload.StatusTargetsAsync(workload.ConnectionString, 1, cancellationToken))[0];
                    var put = StatusRequest(workload, target);
                    result[endpoint.Name] = await Send(put) with { Target = target };
                    break;
                case EndpointKind.Match:
                    result[endpoint.Name] = await Send(MatchRequest(workload)) with { RequestBody = workload.MatchBody };
                    break;
                case EndpointKind.Create or EndpointKind.StatusWebhooks:
                    break; // compared with the API itself (guard off, no subscription): no floor replays it
                default:
                    result[endpoint.Name] = await Send(new HttpRequestMessage(HttpMethod.Get, endpoint.PathAndQuery));
                    break;
            }
        }
        return result;
    }

    public static HttpRequestMessage StatusRequest(Workload workload, StatusTarget target)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{target.Id}/status")
        {
            Content = JsonContent.Create(new { status = EnumWords.ToWord(target.To), reason = Workload.StatusReason }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", target.ETag);
        request.Headers.Add(ApiKeyAuthentication.HeaderName, workload.EditorKey);
        return request;
    }

    /// <summary>
    /// The <paramref name="i"/>th new claim of a create run, as <see cref="Wrk.CreateScript"/> words it (the smoke's
    /// in-process loops send these).
    /// </summary>
    public static HttpRequestMessage CreateRequest(Workload workload, string run, int i)
    {
        var subject = workload.Subjects[i % workload.Subjects.Length];
        var words = Dataset.Vocabulary.English;
        var statement = FormattableString.Invariant(
            $"{subject.Name} plans to spend ${1 + i / 100 % 99}.{i % 100:00}7 billion on {words[i % words.Length]} {words[(i * 7) % words.Length]} {words[(i * 13) % words.Length]} in {2026 + i % 10}.");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/claims")
        {
            Content = JsonContent.Create(new { slug = $"{Wrk.CreatedPrefix}{run}-{i}", statement, kind = "assertion", subject = subject.Slug }),
        };
        request.Headers.Add(ApiKeyAuthentication.HeaderName, workload.EditorKey);
        return request;
    }

    /// <summary>The match request: its fixed body, as JSON.</summary>
    public static HttpRequestMessage MatchRequest(Workload workload) => new(HttpMethod.Post, workload.Endpoints.Single(e => e.Kind == EndpointKind.Match).PathAndQuery)
    {
        Content = new StringContent(workload.MatchBody, System.Text.Encoding.UTF8, "application/json"),
    };

    /// <summary>The statements a request sent (the transaction's BEGIN and COMMIT not counted).</summary>
    public static int Statements(CapturedRequest request) => request.Commands.Count(c => c.Text is not ("BEGIN" or "COMMIT"));

    /// <summary>The captured SQL as markdown, for the report's appendix.</summary>
    public static string ToMarkdown(IReadOnlyDictionary<string, CapturedRequest> captured)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (name, request) in captured)
        {
            text.AppendLine($"#### {name}: {Statements(request)} commands").AppendLine();
            if (request.RequestBody is { } body) text.AppendLine($"`POST {request.Url}` `{body}`").AppendLine();
            text.AppendLine("```sql");
            foreach (var command in request.Commands)
            {
                var parameters = string.Join(", ", command.Parameters.Select(p => $"{p.Name}={Show(p.Value)}"));
                text.AppendLine(parameters.Length > 0 ? $"-- {parameters}" : "--");
                text.AppendLine(command.Text.TrimEnd().TrimEnd(';') + ";");
            }
            text.AppendLine("```").AppendLine();
        }
        return text.ToString();
    }

    private static string Show(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => $"'{(s.Length > 40 ? s[..40] + "…" : s)}'",
        System.Collections.IEnumerable e => $"[{string.Join(", ", e.Cast<object?>().Select(Show))}]",
        _ => value.ToString() ?? "",
    };
}
