using ClaimTracker.Benchmarks.Dataset;
using ClaimTracker.Benchmarks.Measure;
using ClaimTracker.Benchmarks.Report;
using ClaimTracker.LocalPostgres;

namespace ClaimTracker.Benchmarks;

/// <summary>`generate`, `run`, `smoke` and the floor server; see the README's Benchmarks section.</summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = BenchmarkOptions.Parse(args);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        switch (options.Command)
        {
            case "generate":
                await using (var cluster = await BenchDatabase.StartAsync(options.DataDirectory, cancel.Token))
                {
                    foreach (var claims in options.Scales)
                    {
                        await GenerateAsync(cluster, claims, Console.Out, cancel.Token);
                    }
                }
                return 0;
            case "sql":
                await using (var cluster = await BenchDatabase.StartAsync(options.DataDirectory, cancel.Token))
                {
                    var claims = options.Scales[0];
                    var workload = await Workload.PrepareAsync(cluster.ConnectionString(BenchDatabase.DatabaseName(claims)), claims, cancel.Token);
                    var captured = await EndpointSql.CaptureAsync(workload, cancel.Token);
                    Console.WriteLine(EndpointSql.ToMarkdown(captured));
                    foreach (var (name, request) in captured) Console.WriteLine($"{name}: {request.Status} {request.Body[..Math.Min(300, request.Body.Length)]}");
                }
                return 0;
            case "run":
            {
#if DEBUG
                await Console.Error.WriteLineAsync("warning: a Debug build; measure with -c Release.");
#endif
                var results = await new BenchmarkRunner(options, Console.Out).RunAsync(cancel.Token);
                var report = BenchmarkReport.Render(options, results, Environment());
                var output = options.Output ?? Path.Combine(FindRepositoryRoot(), "tests", "ClaimTracker.Benchmarks", "results", "latest.md");
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                await File.WriteAllTextAsync(output, report, cancel.Token);
                Console.WriteLine();
                Console.WriteLine(report);
                Console.WriteLine($"Written to {output}");
                return 0;
            }
            case "floor-server":
            {
                // A child of `run`: the framework floor in a process of its own, pinned like the API.
                var workload = Workload.Load(options.WorkloadFile ?? throw new ArgumentException("--workload is required"));
                var captured = await EndpointSql.CaptureAsync(workload, cancel.Token);
                await using var dataSource = FloorQueries.CreateDataSource(workload.ConnectionString);
                await using var app = FloorServer.Build(new FloorQueries(dataSource, captured), new BestStatements(dataSource, captured), workload,
                    $"http://127.0.0.1:{options.Port}");
                await app.RunAsync();
                return 0;
            }
            case "db-floor":
                // A child of `run`: the database floor of one endpoint, pinned like the servers.
                return await DatabaseFloor.RunChildAsync(options, cancel.Token);
            case "smoke":
            {
                var directory = Path.Combine(Path.GetTempPath(), $"claimtracker-bench-smoke-{Guid.NewGuid():N}");
                await using (var cluster = await LocalPostgresCluster.StartAsync(directory, stopOnDispose: true, durable: false, cancel.Token))
                {
                    Console.WriteLine(await BenchmarkSmoke.RunAsync(cluster, Console.Out, cancel.Token));
                }
                Directory.Delete(directory, recursive: true);
                return 0;
            }
            default:
                await Console.Error.WriteLineAsync(BenchmarkOptions.Usage);
                return 2;
        }
    }

    private static string Environment() =>
        $"Machine: {System.Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
        $".NET {System.Environment.Version}. The API and the framework floor pinned to CPU 0, PostgreSQL and wrk to CPU 1 (taskset).";

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClaimTracker.sln"))) return directory.FullName;
        }
        return System.Environment.CurrentDirectory;
    }

    public static async Task<DatasetInfo> GenerateAsync(
        LocalPostgresCluster cluster, int claims, TextWriter log, CancellationToken cancellationToken)
    {
        var database = BenchDatabase.DatabaseName(claims);
        await log.WriteLineAsync($"Generating {claims:N0} claims into {database} ({cluster.DataDirectory}, port {cluster.Port})");
        var connectionString = await BenchDatabase.CreateMigratedAsync(cluster, database, cancellationToken);
        var info = await new DatasetGenerator(connectionString, new DatasetSize(claims), log).GenerateAsync(cancellationToken);
        await log.WriteLineAsync($"Generated {info.Claims:N0} claims, {info.Appearances:N0} appearances, {info.StatusChanges:N0} status changes " +
                                 $"in {info.Elapsed.TotalSeconds:F0} s ({info.DatabaseBytes / (1 << 20):N0} MiB)");
        return info;
    }
}
