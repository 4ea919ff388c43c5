using System.Diagnostics;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// A closed-loop load in this process: <c>connections</c> workers, each calling <c>operation</c> back to back for a
/// bounded time. The database floor runs on it; smoke mode uses it instead of wrk.
/// </summary>
public static class LoadLoop
{
    /// <summary>Runs the operation (true = success) and returns throughput and latency percentiles.</summary>
    public static async Task<LoadResult> RunAsync(
        Func<int, CancellationToken, Task<bool>> operation, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var latencies = new List<long>[connections];
        var errors = new long[connections];
        var counter = -1;
        var watch = Stopwatch.StartNew();
        stop.CancelAfter(duration);
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(4096);
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(Interlocked.Increment(ref counter), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ok = false;
                }
                mine.Add(Stopwatch.GetTimestamp() - start);
                if (!ok) errors[w]++;
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed;
        return LoadResult.FromLatencies([.. latencies.SelectMany(l => l)], elapsed, errors.Sum());
    }
}
