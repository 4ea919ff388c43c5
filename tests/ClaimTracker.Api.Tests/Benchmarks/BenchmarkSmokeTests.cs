using System.Reflection;
using System.Runtime.Loader;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.LocalPostgres;

namespace ClaimTracker.Api.Tests.Benchmarks;

/// <summary>
/// The benchmark harness (tests/ClaimTracker.Benchmarks) in smoke mode: a tiny dataset through the real migrations and
/// COPY, the endpoints' SQL captured from the API, both floors checked to answer the API's JSON byte for byte, the load
/// loops, and the report. Seconds, no wrk. The full benchmark is never part of the tests.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task SmokeModeGeneratesMeasuresEveryEndpointAndRendersTheReport()
    {
        var run = LoadSmoke();
        var log = new StringWriter();

        var report = await run(PostgresServer.Current.Cluster, log, TestContext.Current.CancellationToken);

        Assert.Contains("## 300 claims", report);
        Assert.Contains("Generated 300 claims", report);
        foreach (var endpoint in new[] { "GET /claims/{id}", "first page", "cursor=", "PUT /claims/{id}/status", "POST /claims (a new 13-word claim", "(c) API, guard on" })
        {
            Assert.Contains(endpoint, report);
        }
        Assert.Contains("| (c) API |", report);
        // (d), the best statement, for claim by id and both list pages, with the statements each variant sends.
        Assert.Equal(3, report.Split("| (d) best statement | 1 |").Length - 1);
        Assert.Contains("GET by id ≥ 80% of its best-statement floor (d)", report);
        Assert.Contains("the API sends 1 statement", report);
        Assert.Contains("## Targets", report);
        Assert.Contains("status_changes (hash chain)", log.ToString());
    }

    /// <summary>
    /// BenchmarkSmoke.RunAsync from the Benchmarks project's build output (the solution builds it; this project does not
    /// reference it), loaded into this process beside the API assemblies it shares.
    /// </summary>
    private static Func<LocalPostgresCluster, TextWriter, CancellationToken, Task<string>> LoadSmoke()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory); // …/tests/ClaimTracker.Api.Tests/bin/<Configuration>/<tfm>/
        var tfm = output.Name;
        var configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "ClaimTracker.Benchmarks", "bin", configuration, tfm, "ClaimTracker.Benchmarks.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (dotnet build), which builds the Benchmarks project.");
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        var method = assembly.GetType("ClaimTracker.Benchmarks.BenchmarkSmoke", throwOnError: true)!
            .GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Static)!;
        return method.CreateDelegate<Func<LocalPostgresCluster, TextWriter, CancellationToken, Task<string>>>();
    }
}
