using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClaimTracker.Benchmarks.Dataset;
using ClaimTracker.Benchmarks.Measure;
using ClaimTracker.Benchmarks.Report;
using ClaimTracker.LocalPostgres;
using Npgsql;

namespace ClaimTracker.Benchmarks;

/// <summary>
/// Smoke mode: every code path of the benchmark on a tiny dataset, in seconds and without wrk — generation through
/// the migrations and COPY, SQL capture, both floors (their JSON checked against the API's), the load loops, and the
/// report. `dotnet test` runs it so that the harness cannot rot; the full benchmark stays out of the tests and CI.
/// </summary>
public static class BenchmarkSmoke
{
    public const int Claims = 300;

    /// <summary>Runs the smoke on <paramref name="cluster"/> in a database of its own (dropped after); returns the report.</summary>
    public static async Task<string> RunAsync(LocalPostgresCluster cluster, TextWriter log, CancellationToken cancellationToken)
    {
        var database = $"claimtracker_bench_smoke_{Guid.NewGuid():N}"[..40];
        try
        {
            var connectionString = await BenchDatabase.CreateMigratedAsync(cluster, database, cancellationToken);
            var generated = await new DatasetGenerator(connectionString, new DatasetSize(Claims), log).GenerateAsync(cancellationToken);
            var workload = await Workload.PrepareAsync(connectionString, Claims, cancellationToken);
            var captured = await EndpointSql.CaptureAsync(workload, cancellationToken);
            foreach (var (name, request) in captured.Where(c => c.Value.Status != 200))
            {
                throw new InvalidOperationException($"{name}: the API answered {request.Status}: {request.Body}");
            }

            await using var dataSource = FloorQueries.CreateDataSource(connectionString);
            var queries = new FloorQueries(dataSource, captured);
            var best = new BestStatements(dataSource, captured);
            await using var floor = FloorServer.Build(queries, best, workload, "http://127.0.0.1:0");
            await floor.StartAsync(cancellationToken);
            await using var api = new InProcessApi(connectionString);
            using var apiClient = api.CreateClient();
            await using var unguarded = new InProcessApi(connectionString, guardOnCreate: false);
            using var unguardedClient = unguarded.CreateClient();
            using var floorClient = new HttpClient { BaseAddress = new Uri(floor.Urls.First()) };

            await CheckSameJsonAsync(workload, apiClient, floorClient, cancellationToken);

            var results = new List<EndpointResult>();
            var duration = TimeSpan.FromMilliseconds(300);
            foreach (var endpoint in workload.Endpoints)
            {
                if (endpoint.Pending is not null)
                {
                    results.Add(new EndpointResult(endpoint, null, null, null, null));
                    continue;
                }
                if (endpoint.Kind == EndpointKind.Create)
                {
                    // (b) is the API with the guard off; both must create every claim (201), none refused as a duplicate.
                    var off = await LoadLoop.RunAsync(CreateOperation(unguardedClient, workload, "off", 0), 2, duration, cancellationToken);
                    var on = await LoadLoop.RunAsync(CreateOperation(apiClient, workload, "on", 50_000), 2, duration, cancellationToken);
                    if (off.Errors + on.Errors > 0) throw new InvalidOperationException($"Creates failed: guard off {off.Errors}, on {on.Errors}.");
                    results.Add(new EndpointResult(endpoint, null, off, on, Processes.PeakRssMiB(Environment.ProcessId)));
                    continue;
                }
                if (endpoint.Kind == EndpointKind.StatusWebhooks)
                {
                    results.Add(await StatusWebhooksAsync(apiClient, workload, endpoint, duration, cancellationToken));
                    continue;
                }
                var targets = endpoint.Kind == EndpointKind.StatusUpdate
                    ? await Workload.StatusTargetsAsync(connectionString, 3_000, cancellationToken)
                    : [];
                var a = await LoadLoop.RunAsync(DatabaseFloor.Operation(queries, workload, endpoint, targets), 2, duration, cancellationToken);
                var b = await LoadLoop.RunAsync(HttpOperation(floorClient, workload, endpoint, targets, a.Requests), 2, duration, cancellationToken);
                var d = BestStatements.Endpoints.Contains(endpoint.Name)
                    ? await LoadLoop.RunAsync(HttpOperation(floorClient, workload, endpoint, targets, 0, BestStatements.Prefix), 2, duration, cancellationToken)
                    : null;
                var c = await LoadLoop.RunAsync(HttpOperation(apiClient, workload, endpoint, targets, a.Requests + b.Requests), 2, duration, cancellationToken);
                results.Add(new EndpointResult(endpoint, a, b, c, Processes.PeakRssMiB(Environment.ProcessId))
                {
                    Best = d, Statements = captured.TryGetValue(endpoint.Name, out var request) ? EndpointSql.Statements(request) : null,
                });
            }

            // The status updates of both floors and of the API extended one chain; the API must still find it valid.
            using (var verify = await apiClient.GetAsync("/api/v1/changes/verify", cancellationToken))
            {
                var body = await verify.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                if (body?["valid"]?.GetValue<bool>() != true) throw new InvalidOperationException($"The chain is broken after the smoke: {body}");
            }
            // wrk is not run here; its output parser is.
            var parsed = Wrk.Parse(SampleWrkOutput);
            if (parsed.Requests != 52_331 || parsed.Errors != 3) throw new InvalidOperationException($"wrk output parsed wrongly: {parsed}");

            var options = new BenchmarkOptions { Command = "smoke", Scales = [Claims], DurationSeconds = 0, WarmupSeconds = 0, Repeats = 1, Connections = 2 };
            return BenchmarkReport.Render(options, [new ScaleResult(Claims, generated, results, EndpointSql.ToMarkdown(captured)) { BestSql = BestStatements.ToMarkdown(captured) }],
                "Smoke mode: tiny dataset, in-process load loops (no wrk), 0.3 s per measurement; the figures mean nothing.");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = await BenchDatabase.OpenAsync(cluster.ConnectionString(), CancellationToken.None);
            await BenchDatabase.Execute(connection, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", CancellationToken.None);
        }
    }

    /// <summary>The floors must answer what the API answers, byte for byte, or they are not floors of this API.</summary>
    private static async Task CheckSameJsonAsync(Workload workload, HttpClient api, HttpClient floor, CancellationToken cancellationToken)
    {
        foreach (var endpoint in workload.Endpoints.Where(e => e.Pending is null && e.Kind is not (EndpointKind.StatusUpdate or EndpointKind.Match or EndpointKind.Create or EndpointKind.StatusWebhooks)))
        {
            var url = endpoint.PathAndQuery ?? $"/api/v1/claims/{workload.Ids[1]}";
            var expected = await api.GetStringAsync(url, cancellationToken);
            var actual = await floor.GetStringAsync(url, cancellationToken);
            if (expected != actual) throw new InvalidOperationException($"The floor's JSON for {url} differs from the API's:\nAPI:   {expected}\nfloor: {actual}");
        }
        // (d), the best statement: the same JSON value as the API's (PostgreSQL escapes fewer characters, so not the same bytes).
        foreach (var endpoint in workload.Endpoints.Where(e => BestStatements.Endpoints.Contains(e.Name)))
        {
            var url = endpoint.PathAndQuery ?? $"/api/v1/claims/{workload.Ids[1]}";
            var expected = await api.GetStringAsync(url, cancellationToken);
            var actual = await floor.GetStringAsync(BestStatements.Prefix + url, cancellationToken);
            if (!JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)))
            {
                throw new InvalidOperationException($"The best statement's JSON for {url} differs from the API's:\nAPI:  {expected}\nbest: {actual}");
            }
        }
        // The match: the same body to both; candidates, scores, verdicts and claims must be the API's, byte for byte.
        using (var apiMatch = await api.SendAsync(EndpointSql.MatchRequest(workload), cancellationToken))
        using (var floorMatch = await floor.SendAsync(EndpointSql.MatchRequest(workload), cancellationToken))
        {
            var expected = await apiMatch.Content.ReadAsStringAsync(cancellationToken);
            var actual = await floorMatch.Content.ReadAsStringAsync(cancellationToken);
            if (!apiMatch.IsSuccessStatusCode || expected != actual)
            {
                throw new InvalidOperationException($"The floor's match JSON differs from the API's ({(int)apiMatch.StatusCode}):\nAPI:   {expected}\nfloor: {actual}");
            }
            if (JsonNode.Parse(expected)?["items"]?.AsArray().Count is not > 0)
            {
                throw new InvalidOperationException($"The match text finds no candidate: {workload.MatchText}");
            }
        }
        // A status update through the floor answers what a GET of the API then shows.
        var target = (await Workload.StatusTargetsAsync(workload.ConnectionString, 1, cancellationToken))[0];
        using var response = await floor.SendAsync(EndpointSql.StatusRequest(workload, target), cancellationToken);
        var updated = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The floor's status update answered {(int)response.StatusCode}.");
        var after = await api.GetStringAsync($"/api/v1/claims/{target.Id}", cancellationToken);
        if (after != updated) throw new InvalidOperationException($"The floor's status update JSON differs from the API's claim:\nAPI:   {after}\nfloor: {updated}");
        if (JsonNode.Parse(after)?["status"]?.GetValue<string>() != Api.Http.EnumWords.ToWord(target.To))
        {
            throw new InvalidOperationException("The floor's status update did not change the status.");
        }
    }

    /// <summary>
    /// status-webhooks in small: updates without and with the subscriptions, then a paced second whose every status change
    /// must reach the receiver three times, each delivery delivered, and the lag read from the database.
    /// </summary>
    private static async Task<EndpointResult> StatusWebhooksAsync(HttpClient api, Workload workload, BenchEndpoint endpoint, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var targets = await Workload.StatusTargetsAsync(workload.ConnectionString, 3_000, cancellationToken);
        var without = await LoadLoop.RunAsync(HttpOperation(api, workload, endpoint, targets, 0), 2, duration, cancellationToken);
        await using var hooks = await WebhookLoad.StartAsync(cancellationToken);
        await hooks.SubscribeAsync(workload.ConnectionString, cancellationToken);
        try
        {
            var with = await LoadLoop.RunAsync(HttpOperation(api, workload, endpoint, targets, without.Requests), 2, duration, cancellationToken);
            if (without.Errors + with.Errors > 0) throw new InvalidOperationException($"Status updates failed: {without.Errors} without hooks, {with.Errors} with.");
            var drained = await WebhookLoad.DrainAsync(workload.ConnectionString, TimeSpan.FromSeconds(60), cancellationToken)
                ?? throw new InvalidOperationException("The webhook deliveries of the smoke did not drain within 60 s.");
            // The runner's (b) runs have the subscriptions disabled: a change made meanwhile is nobody's, once they are enabled again.
            await WebhookLoad.SetEnabledAsync(workload.ConnectionString, false, cancellationToken);
            if (!await HttpOperation(api, workload, endpoint, targets, without.Requests + with.Requests)(0, cancellationToken))
            {
                throw new InvalidOperationException("The status update with the subscriptions disabled failed.");
            }
            await WebhookLoad.SetEnabledAsync(workload.ConnectionString, true, cancellationToken);
            var lag = await WebhookLoad.PacedLagAsync(api, workload, rate: 20, seconds: 1, cancellationToken);
            if (lag.Changes != 20 || lag.Deliveries != WebhookLoad.Subscriptions * lag.Changes || lag.Delivered != lag.Deliveries)
            {
                throw new InvalidOperationException($"The paced run's deliveries are off: {lag}.");
            }
            // Each change made while the subscriptions were enabled, once to each (exactly once in normal operation).
            if (hooks.Received != WebhookLoad.Subscriptions * (with.Requests + lag.Changes))
            {
                throw new InvalidOperationException($"The receiver got {hooks.Received} requests for {with.Requests + lag.Changes} status changes.");
            }
            return new EndpointResult(endpoint, null, without, with, Processes.PeakRssMiB(Environment.ProcessId))
            {
                Lag = lag with { BacklogDrainSeconds = drained.TotalSeconds },
                PairRatios = [with.RequestsPerSecond / without.RequestsPerSecond],
            };
        }
        finally
        {
            await WebhookLoad.UnsubscribeAsync(workload.ConnectionString, cancellationToken);
        }
    }

    // The two runs' statements differ (offset): the second run repeating the first's would be refused as duplicates, rightly.
    private static Func<int, CancellationToken, Task<bool>> CreateOperation(HttpClient client, Workload workload, string run, int offset) =>
        async (i, ct) =>
        {
            using var response = await client.SendAsync(EndpointSql.CreateRequest(workload, run, i + offset), ct);
            return response.StatusCode == System.Net.HttpStatusCode.Created;
        };

    private static Func<int, CancellationToken, Task<bool>> HttpOperation(
        HttpClient client, Workload workload, BenchEndpoint endpoint, List<StatusTarget> targets, long offset, string prefix = "") => endpoint.Kind switch
    {
        EndpointKind.ClaimById => async (i, ct) =>
        {
            using var response = await client.GetAsync($"{prefix}/api/v1/claims/{workload.Ids[i % workload.Ids.Length]}", ct);
            return response.IsSuccessStatusCode;
        },
        EndpointKind.Match => async (_, ct) =>
        {
            using var response = await client.SendAsync(EndpointSql.MatchRequest(workload), ct);
            return response.IsSuccessStatusCode;
        },
        EndpointKind.StatusUpdate or EndpointKind.StatusWebhooks => async (i, ct) =>
        {
            // Targets already used by an earlier variant carry stale ETags: start after them.
            using var response = await client.SendAsync(EndpointSql.StatusRequest(workload, targets[(int)((i + offset) % targets.Count)]), ct);
            return response.IsSuccessStatusCode;
        },
        _ => async (_, ct) =>
        {
            using var response = await client.GetAsync(prefix + endpoint.PathAndQuery, ct);
            return response.IsSuccessStatusCode;
        },
    };

    private const string SampleWrkOutput = """
        Running 10s test @ http://127.0.0.1:5000/api/v1/claims?status=disputed
          1 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     1.52ms  420.11us  18.03ms   91.20%
            Req/Sec     5.26k   301.22     5.61k    88.00%
          Latency Distribution
             50%    1.45ms
             75%    1.62ms
             90%    1.88ms
             99%    3.10ms
          52331 requests in 10.00s, 101.23MB read
          Non-2xx or 3xx responses: 3
        Requests/sec:   5231.72
        Transfer/sec:     10.12MB
        """;
}
