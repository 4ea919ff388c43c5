using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Tests.Readme;

/// <summary>One HTTP exchange of a command, as curl reports it.</summary>
public sealed record CurlExchange(int Status, string Method, string Url);

/// <summary>What one README command did: what it printed (stdout), its exit code, its exchanges and its stderr.</summary>
public sealed record CommandRun(ReadmeCommand Command, bool Ran, string Output, int ExitCode, IReadOnlyList<CurlExchange> Exchanges, string Errors);

/// <summary>
/// Runs the README's commands word for word, in order, in one bash (so the variables of one block reach the next, as in
/// a reader's terminal), with the reader's curl and jq. Only two things are added: curl also reports each exchange's
/// status on stderr (the reader's stdout stays as it is), and a `curl -N` stream is cut after <see cref="StreamSeconds"/>.
/// </summary>
public static partial class ReadmeShell
{
    public const int StreamSeconds = 3;

    /// <summary>
    /// Runs <paramref name="commands"/> in a fresh folder that is also HOME (no ~/.curlrc of the machine, and nothing
    /// written into the repository), then deletes it. A `NAME=ct_…` line, where the reader pastes the first run's key,
    /// is given <paramref name="adminKey"/>.
    /// </summary>
    public static async Task<IReadOnlyList<CommandRun>> RunAsync(
        IReadOnlyList<ReadmeCommand> commands, string adminKey, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("claimtracker-readme-").FullName;
        try
        {
            var script = Path.Combine(folder, "readme.sh");
            await File.WriteAllTextAsync(script, Script(commands, adminKey), cancellationToken);
            var (output, errors) = await RunBashAsync(script, folder, timeout, cancellationToken);
            return [.. commands.Select((command, i) => Result(command, i, output, errors))];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Script(IReadOnlyList<ReadmeCommand> commands, string adminKey)
    {
        var script = new StringBuilder("""
            curl() {
                case " $* " in *" -N "*) set -- --max-time {StreamSeconds} "$@" ;; esac
                command curl --write-out '%{stderr}\n@@exchange %{http_code} %{method} %{url_effective}\n' "$@"
            }

            """.Replace("{StreamSeconds}", StreamSeconds.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        for (var i = 0; i < commands.Count; i++)
        {
            var text = KeyPlaceholder().Replace(commands[i].Text, $"$1='{adminKey}'");
            script.Append(CultureInfo.InvariantCulture, $"printf '\\n@@command {i}\\n'; printf '\\n@@command {i}\\n' >&2\n")
                .Append(text).Append('\n')
                .Append(CultureInfo.InvariantCulture, $"readme_exit=$?; printf '\\n@@exit {i} %d\\n' $readme_exit; printf '\\n@@exit {i} %d\\n' $readme_exit >&2\n");
        }
        return script.ToString();
    }

    private static async Task<(string Output, string Errors)> RunBashAsync(string script, string folder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--noprofile");
        start.ArgumentList.Add("--norc");
        start.ArgumentList.Add(script);
        start.Environment["HOME"] = folder;
        start.Environment["XDG_CONFIG_HOME"] = folder;
        foreach (var name in new[] { "CURL_HOME", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" })
        {
            start.Environment.Remove(name);
        }

        using var bash = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        bash.StandardInput.Close(); // a command that reads stdin gets nothing, as in CI
        var output = bash.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = bash.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await bash.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            bash.Kill(entireProcessTree: true); // what ran so far is still read and reported; the rest shows as not run
        }
        return (await output, await errors);
    }

    private static CommandRun Result(ReadmeCommand command, int index, string output, string errors)
    {
        var printed = Segment(output, index);
        var stderr = Segment(errors, index);
        if (printed is null || stderr is null) return new CommandRun(command, false, "", -1, [], errors);

        var exchanges = Exchange().Matches(stderr.Value.Text)
            .Select(m => new CurlExchange(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, m.Groups[3].Value))
            .ToList();
        var rest = Exchange().Replace(stderr.Value.Text, "").Trim();
        return new CommandRun(command, true, printed.Value.Text, printed.Value.ExitCode, exchanges, rest);
    }

    /// <summary>What was written between a command's two markers, and the exit code the second one carries.</summary>
    private static (string Text, int ExitCode)? Segment(string stream, int index)
    {
        var begin = $"\n@@command {index}\n";
        var from = stream.IndexOf(begin, StringComparison.Ordinal);
        if (from < 0) return null;
        from += begin.Length;
        var end = new Regex($@"\n@@exit {index} (-?\d+)\n").Match(stream, from);
        if (!end.Success) return null;
        return (stream[from..end.Index], int.Parse(end.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(\w+)=ct_…$")]
    private static partial Regex KeyPlaceholder();

    [GeneratedRegex(@"\n?@@exchange (\d{3}) (\S+) (\S*)\n?")]
    private static partial Regex Exchange();
}
