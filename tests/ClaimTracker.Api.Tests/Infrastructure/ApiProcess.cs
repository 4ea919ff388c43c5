using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// The API run as built (its app host beside the tests) in a process of its own, configured through environment variables:
/// for what only a real process shows, such as exit codes, signals and its own log lines.
/// </summary>
public sealed partial class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApiProcess(Process process) => _process = process;

    /// <summary>Everything the process has written so far, standard output and error interleaved as read.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public int Id => _process.Id;

    /// <summary>
    /// Starts the API on a free loopback port in Production, with <paramref name="settings"/> (environment variable names,
    /// e.g. `Http__MaxRequestBodyBytes`) and nothing inherited that would choose its database for it. With
    /// <paramref name="arguments"/> (e.g. `keys create …`), it runs that command instead and exits.
    /// </summary>
    public static ApiProcess Start(IReadOnlyDictionary<string, string> settings, params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ClaimTracker.Api.exe" : "ClaimTracker.Api"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment.Remove("ConnectionStrings__ClaimTracker");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings) start.Environment[name] = value;

        var api = new ApiProcess(new Process { StartInfo = start });
        api._process.OutputDataReceived += (_, e) => api.Read(e.Data);
        api._process.ErrorDataReceived += (_, e) => api.Read(e.Data);
        api._process.Start();
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();
        return api;
    }

    /// <summary>The address Kestrel listens on, once it says so; fails if the process exits first or takes too long.</summary>
    public async Task<Uri> ListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        Task first;
        try
        {
            first = await Task.WhenAny(_listening.Task, exited).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The API was not listening after {timeout.TotalSeconds} s:\n{Output}");
        }
        if (first == exited) throw new InvalidOperationException($"The API exited with code {_process.ExitCode} before listening:\n{Output}");
        return await _listening.Task;
    }

    /// <summary>Waits for the process to exit and returns its exit code; kills it if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The API did not exit within {timeout.TotalSeconds} s:\n{Output}");
        }
        _process.WaitForExit(); // and its output is read to the end
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as `docker stop`, systemd or Kubernetes send it.</summary>
    public void Terminate()
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("SIGTERM is a Unix signal.");
        if (Kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed ({Marshal.GetLastPInvokeError()}).");
    }

    private bool _disposed;

    /// <summary>SIGKILL if it still runs (no shutdown); safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Read(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } listening) _listening.TrySetResult(new Uri(listening.Groups[1].Value));
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
