namespace ClaimTracker.Benchmarks.Measure;

/// <summary>One bounded load run: throughput, latency percentiles (ms), and requests that failed (non-2xx, socket errors).</summary>
public sealed record LoadResult(double RequestsPerSecond, double P50Ms, double P99Ms, double MaxMs, long Requests, long Errors)
{
    /// <summary>Each figure's median over the runs (runs are noisy on a 2-core box; the median resists one bad run).</summary>
    public static LoadResult Median(IReadOnlyList<LoadResult> runs) => new(
        MedianOf(runs.Select(r => r.RequestsPerSecond)), MedianOf(runs.Select(r => r.P50Ms)), MedianOf(runs.Select(r => r.P99Ms)),
        runs.Max(r => r.MaxMs), runs.Sum(r => r.Requests), runs.Sum(r => r.Errors));

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two when their count is even).</summary>
    public static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Summarises per-request latencies (in Stopwatch ticks) of a run that lasted <paramref name="elapsed"/>.</summary>
    public static LoadResult FromLatencies(List<long> ticks, TimeSpan elapsed, long errors)
    {
        if (ticks.Count == 0) return new LoadResult(0, 0, 0, 0, 0, errors);
        ticks.Sort();
        double Ms(double q) => ticks[Math.Min(ticks.Count - 1, (int)Math.Ceiling(q * ticks.Count) - 1)] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        return new LoadResult(ticks.Count / elapsed.TotalSeconds, Ms(0.50), Ms(0.99), Ms(1.0), ticks.Count, errors);
    }
}
