using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// Drives load with wrk (one thread, fixed connections, pinned to its own core) through a Lua script that cycles over
/// claim ids, or over (id, ETag, status) for the status update, so that each PUT carries a fresh If-Match.
/// </summary>
public static partial class Wrk
{
    public static bool IsInstalled() => Processes.OnPath("wrk");

    public static string IdsScript(IEnumerable<Guid> ids, string prefix = "") => $$"""
        local ids = { {{string.Join(",", ids.Select(id => $"\"{id}\""))}} }
        local i = 0
        request = function()
          i = i + 1
          if i > #ids then i = 1 end
          return wrk.format("GET", "{{prefix}}/api/v1/claims/" .. ids[i])
        end
        """;

    /// <summary>Each target once; when they run out the script wraps around and the stale ETags come back as 412s, counted as errors.</summary>
    public static string StatusScript(IEnumerable<StatusTarget> targets, string editorKey) => $$"""
        local t = { {{string.Join(",", targets.Select(t => $"{{\"{t.Id}\",'{t.ETag}',\"{EnumWords.ToWord(t.To)}\"}}"))}} }
        local i = 0
        local headers = { ["Content-Type"] = "application/json", ["{{ApiKeyAuthentication.HeaderName}}"] = "{{editorKey}}" }
        request = function()
          i = i + 1
          if i > #t then i = 1 end
          headers["If-Match"] = t[i][2]
          return wrk.format("PUT", "/api/v1/claims/" .. t[i][1] .. "/status", headers,
            '{"status":"' .. t[i][3] .. '","reason":"{{Workload.StatusReason}}"}')
        end
        """;

    /// <summary>
    /// A new claim per request (13 words or so), as a desk records them: "{subject} plans to spend ${n.nn7} billion on {three newsroom words}
    /// in {year}.", about one of the dataset's entities, so that the guard finds that subject's claims and scores them, as
    /// it would in a newsroom's database. The amount (three decimals, one per request: the dataset's have one) contradicts
    /// theirs and the run's other claims', so it is created, not refused. Slugs start with <see cref="CreatedPrefix"/> and carry <paramref name="run"/>: no run collides with an
    /// earlier one's claims, and the runner deletes them after each run.
    /// </summary>
    public static string CreateScript(IReadOnlyList<Subject> subjects, IReadOnlyList<string> words, string editorKey, string run, int seed) => $$"""
        math.randomseed({{seed}})
        local subjects = { {{string.Join(",", subjects.Select(s => $"{{{Lua(s.Slug)},{Lua(s.Name)}}}"))}} }
        local words = { {{string.Join(",", words.Select(Lua))}} }
        local headers = { ["Content-Type"] = "application/json", ["{{ApiKeyAuthentication.HeaderName}}"] = "{{editorKey}}" }
        local i = 0
        local function word() return words[math.random(#words)] end
        request = function()
          i = i + 1
          local s = subjects[math.random(#subjects)]
          local statement = s[2] .. " plans to spend $" .. string.format("%d.%02d7", 1 + math.floor(i / 100) % 99, i % 100) ..
            " billion on " .. word() .. " " .. word() .. " " .. word() .. " in " .. math.random(2026, 2035) .. "."
          return wrk.format("POST", "/api/v1/claims", headers,
            '{"slug":"{{CreatedPrefix}}{{run}}-' .. i .. '","statement":"' .. statement .. '","kind":"assertion","subject":"' .. s[1] .. '"}')
        end
        """;

    /// <summary>The slugs of the claims the create endpoint's runs add.</summary>
    public const string CreatedPrefix = "bench-create-";

    /// <summary>A Lua string literal of a name or a word that JSON takes as it is (the dataset's: letters, spaces, hyphens).</summary>
    private static string Lua(string value) =>
        value.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '\'' or '.')
            ? "\"" + value.Replace("'", "\\'", StringComparison.Ordinal) + "\""
            : throw new ArgumentException($"'{value}' would need escaping in the create script.", nameof(value));

    /// <summary>The same POST every time: the match's JSON body (in a Lua long string, so that no quote needs escaping).</summary>
    public static string PostScript(string body) => $$"""
        wrk.method = "POST"
        wrk.body = [==[{{body}}]==]
        wrk.headers["Content-Type"] = "application/json"
        """;

    public static async Task<LoadResult> RunAsync(
        string baseUrl, string pathAndQuery, string? script, int connections, int seconds, int? cpu, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "5s" };
        string? scriptFile = null;
        if (script is not null)
        {
            scriptFile = Path.Combine(Path.GetTempPath(), $"claimtracker-bench-{Guid.NewGuid():N}.lua");
            await File.WriteAllTextAsync(scriptFile, script, cancellationToken);
            arguments.AddRange(["-s", scriptFile]);
        }
        arguments.Add(baseUrl + pathAndQuery);
        try
        {
            var output = await Processes.RunAsync(cpu is { } c ? "taskset" : "wrk",
                cpu is { } core ? ["-c", core.ToString(CultureInfo.InvariantCulture), "wrk", .. arguments] : arguments,
                TimeSpan.FromSeconds(seconds + 30), cancellationToken);
            return Parse(output);
        }
        finally
        {
            if (scriptFile is not null) File.Delete(scriptFile);
        }
    }

    /// <summary>Reads wrk's summary: Requests/sec, the 50% and 99% latencies, Max, and errors.</summary>
    public static LoadResult Parse(string output)
    {
        double Latency(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch
        {
            "us" => 0.001, "ms" => 1, "s" => 1000, "m" => 60_000, _ => throw new FormatException($"wrk unit '{unit}'"),
        };
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p50 = Percentile().Matches(output).First(m => m.Groups[1].Value == "50");
        var p99 = Percentile().Matches(output).First(m => m.Groups[1].Value == "99");
        var max = LatencyLine().Match(output);
        var total = long.Parse(Total().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        long errors = 0;
        if (Non2xx().Match(output) is { Success: true } non2xx) errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        if (SocketErrors().Match(output) is { Success: true } socket)
        {
            errors += socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture));
        }
        return new LoadResult(rps, Latency(p50.Groups[2].Value, p50.Groups[3].Value), Latency(p99.Groups[2].Value, p99.Groups[3].Value),
            Latency(max.Groups[1].Value, max.Groups[2].Value), total, errors);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile();

    // "    Latency   1.23ms  456.00us  12.34ms   89.00%": avg, stdev, max.
    [GeneratedRegex(@"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}

/// <summary>Child processes: run to completion, start in the background, find on PATH, pin to a core, read peak RSS.</summary>
public static class Processes
{
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    public static async Task<string> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        IDictionary<string, string>? environment = null)
    {
        using var process = Start(program, arguments, environment);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timer.Token);
        var stderr = process.StandardError.ReadToEndAsync(timer.Token);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }

    public static Process Start(
        string program, IEnumerable<string> arguments, IDictionary<string, string>? environment, bool redirect = true, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = redirect, RedirectStandardError = redirect, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    /// <summary>Pins <paramref name="pid"/> (all its threads) to <paramref name="cpus"/> ("1", "0,1"); false when taskset is missing or fails.</summary>
    public static bool TryPin(int pid, string cpus)
    {
        if (!OnPath("taskset")) return false;
        try
        {
            using var process = Start("taskset", ["-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)], null);
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Peak resident set size in MiB (VmHWM), or null where /proc is not available.</summary>
    public static double? PeakRssMiB(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Starts a new peak-RSS window (writes 5 to clear_refs); harmless where not permitted.</summary>
    public static void ResetPeakRss(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Peak since start, then.
        }
    }

    /// <summary>Pins a PostgreSQL cluster: the postmaster (new backends inherit it) and the processes it already started.</summary>
    public static bool TryPinPostgres(string dataDirectory, string cpus)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First().Trim(), out var postmaster)) return false;
        var pinned = TryPin(postmaster, cpus);
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                // pid (comm) state ppid …
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster) TryPin(int.Parse(Path.GetFileName(Path.GetDirectoryName(stat)!), CultureInfo.InvariantCulture), cpus);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentException)
            {
                // A process that ended meanwhile, or not a process folder.
            }
        }
        return pinned;
    }
}
