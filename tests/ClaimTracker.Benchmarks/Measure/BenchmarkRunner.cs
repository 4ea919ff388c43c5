using System.Diagnostics;
using System.Globalization;
using ClaimTracker.Benchmarks.Dataset;
using ClaimTracker.LocalPostgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>The three measurements of one endpoint at one scale: (a) database floor, (b) framework floor, (c) the API.</summary>
public sealed record EndpointResult(
    BenchEndpoint Endpoint, LoadResult? Database, LoadResult? Framework, LoadResult? Api, double? ApiPeakRssMiB, string? Failure = null)
{
    /// <summary>status-webhooks: the paced run's outbox lag.</summary>
    public WebhookLag? Lag { get; init; }

    /// <summary>status-webhooks: each b c pair's ratio c/b, in run order (the smoke's single pair too).</summary>
    public IReadOnlyList<double>? PairRatios { get; init; }

    /// <summary>(d) the best-statement floor (<see cref="BestStatements"/>), where there is one.</summary>
    public LoadResult? Best { get; init; }

    /// <summary>How many statements (a), (b) and (c) send per request (the captured commands; (d) sends one).</summary>
    public int? Statements { get; init; }
}

public sealed record ScaleResult(int Claims, DatasetInfo? Generated, IReadOnlyList<EndpointResult> Endpoints, string CapturedSql)
{
    /// <summary>The SQL of (d), by endpoint, for the report.</summary>
    public string BestSql { get; init; } = "";
}

/// <summary>
/// `run`: for each scale, makes sure the dataset exists, captures the endpoints' SQL from the real API, starts the
/// framework floor and the Release API as child processes pinned to CPU 0 (PostgreSQL and wrk on CPU 1), then measures
/// each endpoint (a), (b), (c) back to back: warm-up discarded, then the median of the repeats.
/// </summary>
public sealed class BenchmarkRunner(BenchmarkOptions options, TextWriter log)
{
    private const string ServerCpu = "0";
    private const string LoadCpu = "1";
    private int? WrkCpu => options.Pin ? 1 : null;

    /// <summary>
    /// Runtime settings of every measured .NET process ((a), (b) and (c) alike). Tiered compilation promotes hot code to
    /// optimised (tier-1, PGO) code only after a quiet spell with no new tier-0 compilation: 100 ms, times 10 when the
    /// process sees one CPU, as a pinned one does. Under steady load a process that keeps meeting new code paths (the API
    /// more than the bare floor) may never get that second of quiet and stays at tier 0 for the whole run: measured 1,300
    /// req/s on GET by id after 35 s of load, 3,600 once promoted. A benchmark compares steady states, so the delay is off
    /// (as in dotnet/performance's and other runtimes' harnesses); see results/tuning.md.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> MeasuredRuntime = new Dictionary<string, string>
    {
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
    };

    /// <summary>A measured process's environment: <see cref="MeasuredRuntime"/> and the process's own settings.</summary>
    private static Dictionary<string, string> MeasuredEnvironment(IReadOnlyDictionary<string, string>? own = null) =>
        new(MeasuredRuntime.Concat(own ?? new Dictionary<string, string>()));

    public async Task<List<ScaleResult>> RunAsync(CancellationToken cancellationToken)
    {
        if (!Wrk.IsInstalled()) throw new InvalidOperationException("wrk is not installed: apt-get install -y wrk");
        var results = new List<ScaleResult>();
        await using var cluster = await BenchDatabase.StartAsync(options.DataDirectory, cancellationToken);
        foreach (var claims in options.Scales.Order())
        {
            var database = BenchDatabase.DatabaseName(claims);
            DatasetInfo? generated = null;
            if (options.Regenerate || !await HasDatasetAsync(cluster, database, cancellationToken))
            {
                generated = await BenchmarkProgram.GenerateAsync(cluster, claims, log, cancellationToken);
            }
            results.Add(await MeasureScaleAsync(cluster, claims, generated, cancellationToken));
        }
        return results;
    }

    private async Task<ScaleResult> MeasureScaleAsync(LocalPostgresCluster cluster, int claims, DatasetInfo? generated, CancellationToken cancellationToken)
    {
        var connectionString = cluster.ConnectionString(BenchDatabase.DatabaseName(claims));
        await SettleAsync(connectionString, claims, cancellationToken);
        var workload = await Workload.PrepareAsync(connectionString, claims, cancellationToken);
        var workloadFile = Path.Combine(Path.GetTempPath(), $"claimtracker-bench-workload-{claims}.json");
        workload.Save(workloadFile);
        await log.WriteLineAsync($"Measuring {claims:N0} claims: capturing the endpoints' SQL from the API");
        var captured = await EndpointSql.CaptureAsync(workload, cancellationToken);
        // An endpoint the API does not answer with 200 is reported as such (e.g. a search stopped by its timeout), not measured.
        var failures = captured.Where(c => c.Value.Status != 200).ToDictionary(c => c.Key, c => Failure(c.Value));
        foreach (var name in failures.Keys)
        {
            captured.Remove(name);
            await log.WriteLineAsync($"  {name}: {failures[name]}");
        }

        if (options.Pin) Processes.TryPinPostgres(cluster.DataDirectory, LoadCpu);
        var floorPort = FreePort();
        var apiPort = FreePort();
        var benchDll = typeof(BenchmarkRunner).Assembly.Location;
        using var floor = StartPinned("dotnet", [benchDll, "floor-server", "--workload", workloadFile, "--port", floorPort.ToString(CultureInfo.InvariantCulture)],
            MeasuredEnvironment());
        var measured = workload.Endpoints.Where(e => options.Endpoints is null || options.Endpoints.Contains(e.Name)).ToList();
        using var api = StartApi(workload, apiPort, guard: true);
        // The create's (b): the same API with the duplicate guard off, so that c/b is the guard's cost.
        var unguardedPort = FreePort();
        using var unguarded = measured.Any(e => e.Kind == EndpointKind.Create) ? StartApi(workload, unguardedPort, guard: false) : null;
        var results = new List<EndpointResult>();
        try
        {
            var floorUrl = $"http://127.0.0.1:{floorPort}";
            var apiUrl = $"http://127.0.0.1:{apiPort}";
            await WaitReadyAsync(floorUrl, workload, floor, cancellationToken);
            await WaitReadyAsync(apiUrl, workload, api, cancellationToken);
            var unguardedUrl = $"http://127.0.0.1:{unguardedPort}";
            if (unguarded is not null) await WaitReadyAsync(unguardedUrl, workload, unguarded, cancellationToken);
            foreach (var endpoint in measured)
            {
                if (endpoint.Pending is not null || failures.ContainsKey(endpoint.Name))
                {
                    results.Add(new EndpointResult(endpoint, null, null, null, null, failures.GetValueOrDefault(endpoint.Name)));
                    continue;
                }
                await log.WriteLineAsync($"  {endpoint.Name}");
                if (endpoint.Kind == EndpointKind.Create)
                {
                    var off = await RepeatAsync("b guard off", () => WrkAsync(unguardedUrl, workload, endpoint, cancellationToken));
                    Processes.ResetPeakRss(api.Id);
                    var on = await RepeatAsync("c API", () => WrkAsync(apiUrl, workload, endpoint, cancellationToken));
                    results.Add(new EndpointResult(endpoint, null, off, on, Processes.PeakRssMiB(api.Id)));
                    continue;
                }
                if (endpoint.Kind == EndpointKind.StatusWebhooks)
                {
                    results.Add(await StatusWebhooksAsync(apiUrl, api, workload, endpoint, cancellationToken));
                    continue;
                }
                var database = await DatabaseFloorAsync(workloadFile, endpoint, cancellationToken);
                var framework = await RepeatAsync("b framework", () => WrkAsync(floorUrl, workload, endpoint, cancellationToken));
                var best = BestStatements.Endpoints.Contains(endpoint.Name)
                    ? await RepeatAsync("d best", () => WrkAsync(floorUrl, workload, endpoint, cancellationToken, BestStatements.Prefix))
                    : null;
                Processes.ResetPeakRss(api.Id);
                var real = await RepeatAsync("c API", () => WrkAsync(apiUrl, workload, endpoint, cancellationToken));
                results.Add(new EndpointResult(endpoint, database, framework, real, Processes.PeakRssMiB(api.Id))
                {
                    Best = best, Statements = EndpointSql.Statements(captured[endpoint.Name]),
                });
            }
        }
        finally
        {
            foreach (var process in new[] { floor, api, unguarded }.OfType<Process>().Where(p => !p.HasExited)) process.Kill(entireProcessTree: true);
            NpgsqlConnection.ClearAllPools();
        }
        return new ScaleResult(claims, generated, results, EndpointSql.ToMarkdown(captured)) { BestSql = BestStatements.ToMarkdown(captured) };
    }

    /// <summary>
    /// Every run starts from the same kind of state: the API's migrations applied (a dataset may predate the newest), the
    /// dead rows of earlier runs' status updates vacuumed, statistics fresh, dirty pages written. Otherwise autovacuum or
    /// a checkpoint may land in the middle of a measurement.
    /// </summary>
    private async Task SettleAsync(string connectionString, int claims, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"Settling {claims:N0} claims: migrations, VACUUM (ANALYZE), CHECKPOINT");
        await using (var db = BenchDatabase.CreateDbContext(connectionString))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        await BenchDatabase.Execute(connection, "VACUUM (ANALYZE) claims, status_changes", cancellationToken);
        await BenchDatabase.Execute(connection, "CHECKPOINT", cancellationToken);
    }

    private static string Failure(CapturedRequest request)
    {
        string? title = null, detail = null;
        try
        {
            var problem = System.Text.Json.Nodes.JsonNode.Parse(request.Body);
            (title, detail) = (problem?["title"]?.GetValue<string>(), problem?["detail"]?.GetValue<string>());
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a problem document.
        }
        return $"the API answered {request.Status} {title} after {request.Elapsed.TotalMilliseconds:F0} ms: {detail ?? request.Body}";
    }

    private async Task<LoadResult> RepeatAsync(string label, Func<Task<Func<int, Task<LoadResult>>>> prepare)
    {
        var run = await prepare();
        await run(options.WarmupSeconds);
        var runs = new List<LoadResult>();
        for (var i = 0; i < options.Repeats; i++) runs.Add(await run(options.DurationSeconds));
        var median = LoadResult.Median(runs);
        await LogMedianAsync(label, median);
        return median;
    }

    private Task LogMedianAsync(string label, LoadResult median) => log.WriteLineAsync(FormattableString.Invariant(
        $"    {label,-12} {median.RequestsPerSecond,9:F0} req/s  p50 {median.P50Ms,7:F2} ms  p99 {median.P99Ms,7:F2} ms  max {median.MaxMs,7:F1} ms  errors {median.Errors}"));

    /// <summary>(a) in a child process pinned like the servers, so that it sees one CPU as they do (thread pool, GC heaps).</summary>
    private async Task<LoadResult> DatabaseFloorAsync(string workloadFile, BenchEndpoint endpoint, CancellationToken cancellationToken)
    {
        var invariant = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            typeof(BenchmarkRunner).Assembly.Location, "db-floor", "--workload", workloadFile, "--endpoints", endpoint.Name,
            "--warmup", options.WarmupSeconds.ToString(invariant), "--duration", options.DurationSeconds.ToString(invariant),
            "--repeats", options.Repeats.ToString(invariant), "--connections", options.Connections.ToString(invariant),
        ];
        var output = options.Pin && Processes.OnPath("taskset")
            ? await Processes.RunAsync("taskset", ["-c", ServerCpu, "dotnet", .. arguments], TimeSpan.FromMinutes(10), cancellationToken,
                MeasuredEnvironment())
            : await Processes.RunAsync("dotnet", arguments, TimeSpan.FromMinutes(10), cancellationToken, MeasuredEnvironment());
        var line = output.Split('\n').Last(l => l.StartsWith(DatabaseFloor.ResultPrefix, StringComparison.Ordinal));
        var median = System.Text.Json.JsonSerializer.Deserialize<LoadResult>(line[DatabaseFloor.ResultPrefix.Length..])!;
        await log.WriteLineAsync(FormattableString.Invariant(
            $"    {"a database",-12} {median.RequestsPerSecond,9:F0} req/s  p50 {median.P50Ms,7:F2} ms  p99 {median.P99Ms,7:F2} ms  max {median.MaxMs,7:F1} ms  errors {median.Errors}"));
        return median;
    }

    /// <summary>Enough claims that none is updated twice in a run (a repeat would carry a stale ETag: a 412, counted as an error).</summary>
    internal static int TargetsFor(int seconds) => Math.Max(2_000, seconds * 4_000);

    private Task<Func<int, Task<LoadResult>>> WrkAsync(
        string baseUrl, Workload workload, BenchEndpoint endpoint, CancellationToken cancellationToken, string prefix = "")
    {
        Func<int, Task<LoadResult>> run = async seconds =>
        {
            var (path, script) = endpoint.Kind switch
            {
                EndpointKind.ClaimById => ("/", Wrk.IdsScript(workload.Ids, prefix)),
                EndpointKind.StatusUpdate or EndpointKind.StatusWebhooks => ("/", Wrk.StatusScript(
                    await Workload.StatusTargetsAsync(workload.ConnectionString, TargetsFor(seconds), cancellationToken),
                    workload.EditorKey)),
                EndpointKind.Match => (endpoint.PathAndQuery!, Wrk.PostScript(workload.MatchBody)),
                EndpointKind.Create => ("/", Wrk.CreateScript(workload.Subjects, Vocabulary.English, workload.EditorKey,
                    Guid.NewGuid().ToString("N")[..12], Random.Shared.Next())),
                _ => (prefix + endpoint.PathAndQuery!, null),
            };
            var result = await Wrk.RunAsync(baseUrl, path, script, options.Connections, seconds, WrkCpu, cancellationToken);
            if (endpoint.Kind == EndpointKind.Create) await DeleteCreatedAsync(workload, cancellationToken);
            return result;
        };
        return Task.FromResult(run);
    }

    /// <summary>
    /// status-webhooks: (b) status updates with the benchmark's subscriptions disabled (as good as none: nothing wants
    /// status changes), (c) the same API with <see cref="WebhookLoad.Subscriptions"/> enabled subscriptions to a receiver in
    /// this process. The runs alternate, b c b c b c, each (c) followed by the drain of its backlog, so that a machine
    /// whose speed drifts (this one's does, by 20 % from minute to minute) weighs on both alike; then the outbox lag of a run
    /// paced at <see cref="PacedRate"/> status changes a second for twice the run's duration.
    /// </summary>
    private async Task<EndpointResult> StatusWebhooksAsync(string apiUrl, Process api, Workload workload, BenchEndpoint endpoint, CancellationToken cancellationToken)
    {
        var run = await WrkAsync(apiUrl, workload, endpoint, cancellationToken);
        await using var hooks = await WebhookLoad.StartAsync(cancellationToken);
        await hooks.SubscribeAsync(workload.ConnectionString, cancellationToken);
        try
        {
            await WebhookLoad.SetEnabledAsync(workload.ConnectionString, false, cancellationToken);
            await run(options.WarmupSeconds);
            await WebhookLoad.SetEnabledAsync(workload.ConnectionString, true, cancellationToken);
            await run(options.WarmupSeconds);
            await WebhookLoad.DrainAsync(workload.ConnectionString, TimeSpan.FromMinutes(10), cancellationToken);
            Processes.ResetPeakRss(api.Id);
            var (withoutRuns, withRuns, drains) = (new List<LoadResult>(), new List<LoadResult>(), new List<double?>());
            for (var i = 0; i < options.Repeats; i++)
            {
                await WebhookLoad.SetEnabledAsync(workload.ConnectionString, false, cancellationToken);
                var b = await run(options.DurationSeconds);
                await WebhookLoad.SetEnabledAsync(workload.ConnectionString, true, cancellationToken);
                var c = await run(options.DurationSeconds);
                var drained = await WebhookLoad.DrainAsync(workload.ConnectionString, TimeSpan.FromMinutes(10), cancellationToken);
                withoutRuns.Add(b);
                withRuns.Add(c);
                drains.Add(drained?.TotalSeconds);
                await log.WriteLineAsync(FormattableString.Invariant(
                    $"    pair {i + 1}: b {b.RequestsPerSecond:F0} req/s, c {c.RequestsPerSecond:F0} req/s ({c.RequestsPerSecond / b.RequestsPerSecond:P0}), backlog drained {(drained is { } d ? $"{d.TotalSeconds:F1} s" : "NOT within 10 minutes")} after"));
            }
            var rss = Processes.PeakRssMiB(api.Id);
            var (without, with) = (LoadResult.Median(withoutRuns), LoadResult.Median(withRuns));
            await LogMedianAsync("b no hooks", without);
            await LogMedianAsync($"c {WebhookLoad.Subscriptions} hooks", with);
            var slowest = drains.Any(d => d is null) ? (double?)null : drains.Max();
            await log.WriteLineAsync(slowest is { } s
                ? FormattableString.Invariant($"    backlog drained within {s:F1} s of each (c) run; {hooks.Received:N0} requests received")
                : "    backlog NOT drained within 10 minutes of a (c) run");
            using var client = new HttpClient { BaseAddress = new Uri(apiUrl), Timeout = TimeSpan.FromSeconds(30) };
            var lag = await WebhookLoad.PacedLagAsync(client, workload, PacedRate, 2 * options.DurationSeconds, cancellationToken) with
            {
                BacklogDrainSeconds = slowest,
            };
            await log.WriteLineAsync(FormattableString.Invariant(
                $"    lag at {lag.RatePerSecond:F0}/s: p50 {lag.P50Ms:F0} ms  p99 {lag.P99Ms:F0} ms  max {lag.MaxMs:F0} ms  ({lag.Delivered:N0} of {lag.Deliveries:N0} deliveries for {lag.Changes:N0} changes; from {(lag.FromCommit ? "commit" : "the change's at")}; the updates p50 {lag.Updates?.P50Ms:F0} ms p99 {lag.Updates?.P99Ms:F0} ms)"));
            return new EndpointResult(endpoint, null, without, with, rss)
            {
                Lag = lag,
                PairRatios = [.. withoutRuns.Zip(withRuns, (b, c) => c.RequestsPerSecond / b.RequestsPerSecond)],
            };
        }
        finally
        {
            await WebhookLoad.UnsubscribeAsync(workload.ConnectionString, cancellationToken);
        }
    }

    /// <summary>The status changes a second of the lag's paced run (the issue's figure).</summary>
    public const int PacedRate = 100;

    /// <summary>Takes the create run's claims (and the links the guard left) out again: every run sees the dataset as generated.</summary>
    private static async Task DeleteCreatedAsync(Workload workload, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(workload.ConnectionString, cancellationToken);
        await BenchDatabase.Execute(connection, $"""
            DELETE FROM claim_links WHERE claim_id IN (SELECT id FROM claims WHERE slug LIKE '{Wrk.CreatedPrefix}%');
            DELETE FROM claims WHERE slug LIKE '{Wrk.CreatedPrefix}%';
            """, cancellationToken);
        await BenchDatabase.Execute(connection, "VACUUM claims, claim_links", cancellationToken);
    }

    private Process StartApi(Workload workload, int port, bool guard) =>
        StartPinned("dotnet", [Path.Combine(AppContext.BaseDirectory, "ClaimTracker.Api.dll")], MeasuredEnvironment(new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimTracker"] = workload.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["RateLimiting__Enabled"] = "false",
            ["Seed__Enabled"] = "false",
            ["Matching__GuardOnCreate"] = guard ? "true" : "false",
            // status-webhooks' receiver is on loopback over http; without a subscription these change nothing.
            ["Webhooks__AllowHttp"] = "true",
            ["Webhooks__AllowPrivateNetworks"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            // The request log line is on in production; the floors write no log, so neither does the API measured against them.
            [$"Logging__LogLevel__{Api.Http.ClaimTrackerLogging.RequestCategory}"] = "Warning",
        }));

    private Process StartPinned(string program, IReadOnlyList<string> arguments, IDictionary<string, string>? environment) =>
        options.Pin && Processes.OnPath("taskset")
            ? Processes.Start("taskset", ["-c", ServerCpu, program, .. arguments], environment, redirect: false, AppContext.BaseDirectory)
            : Processes.Start(program, arguments, environment, redirect: false, AppContext.BaseDirectory);

    private static async Task WaitReadyAsync(string baseUrl, Workload workload, Process process, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) throw new InvalidOperationException($"The server at {baseUrl} exited with {process.ExitCode}.");
            try
            {
                using var response = await client.GetAsync($"/api/v1/claims/{workload.Ids[0]}", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"The server at {baseUrl} did not answer within 90 s.");
    }

    private static async Task<bool> HasDatasetAsync(LocalPostgresCluster cluster, string database, CancellationToken cancellationToken)
    {
        if (!await cluster.DatabaseExistsAsync(database, cancellationToken)) return false;
        await using var connection = await BenchDatabase.OpenAsync(cluster.ConnectionString(database), cancellationToken);
        return await BenchDatabase.Scalar<bool>(connection,
            "SELECT to_regclass('claims') IS NOT NULL AND EXISTS (SELECT 1 FROM status_changes)", cancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
