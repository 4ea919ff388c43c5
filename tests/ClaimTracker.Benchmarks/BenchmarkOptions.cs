using System.Globalization;

namespace ClaimTracker.Benchmarks;

/// <summary>Command-line options of the benchmark program.</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/ClaimTracker.Benchmarks -- COMMAND [options]
          generate   --claims N[,N…]        generate datasets (default 1000000) into the benchmark cluster
          run        --claims N[,N…]        measure database floor, framework floor and API per endpoint (generates missing datasets)
          smoke                            tiny dataset, every code path, seconds (what `dotnet test` runs)
        options: --data-dir DIR (default /tmp/claimtracker-bench/postgres)  --duration S (10)  --warmup S (10)
                 --repeats N (3)  --connections N (8)  --out FILE (tests/ClaimTracker.Benchmarks/results/latest.md)
                 --regenerate  --endpoints a,b  --no-pin
        """;

    public string Command { get; init; } = "";
    public IReadOnlyList<int> Scales { get; init; } = [1_000_000];
    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "claimtracker-bench", "postgres");
    public int DurationSeconds { get; init; } = 10;
    public int WarmupSeconds { get; init; } = 10;
    public int Repeats { get; init; } = 3;
    public int Connections { get; init; } = 8;
    public string? Output { get; init; }
    public bool Regenerate { get; init; }
    public bool Pin { get; init; } = true;
    public IReadOnlyList<string>? Endpoints { get; init; }
    public string? WorkloadFile { get; init; }
    public int Port { get; init; }

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions { Command = args.Length > 0 ? args[0] : "" };
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--claims" => options with { Scales = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--data-dir" => options with { DataDirectory = Next() },
                "--duration" => options with { DurationSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--repeats" => options with { Repeats = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--connections" => options with { Connections = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--out" => options with { Output = Next() },
                "--endpoints" => options with { Endpoints = Next().Split(',') },
                "--regenerate" => options with { Regenerate = true },
                "--no-pin" => options with { Pin = false },
                "--workload" => options with { WorkloadFile = Next() },
                "--port" => options with { Port = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }
        return options;
    }
}
