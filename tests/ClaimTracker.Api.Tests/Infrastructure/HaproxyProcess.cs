using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// HAProxy (the Debian package) in front of API instances on loopback, in the foreground (`-db`), as an operator would
/// run it: round robin, `/health/ready` checked every 200 ms, a connection that fails redispatched to another server
/// (never a request that was already sent: only `conn-failure` is retried), and each response naming the server that
/// answered in `X-Served-By`.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/haproxy";
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private HaproxyProcess(Process process, string directory, Uri address)
    {
        (_process, _directory, Address) = (process, directory, address);
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts HAProxy on a free port with one server per address, named `api1`, `api2`…; returns once it accepts connections.</summary>
    public static async Task<HaproxyProcess> StartAsync(IReadOnlyList<Uri> servers, CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free();
        var directory = Directory.CreateTempSubdirectory("claimtracker-haproxy-").FullName;
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 512
            defaults
                mode http
                timeout connect 1s
                timeout client 30s
                timeout server 30s
                retries 3
                retry-on conn-failure
                option redispatch 1
            frontend api
                bind 127.0.0.1:{port}
                default_backend apis
            backend apis
                balance roundrobin
                option httpchk GET /health/ready
                http-response set-header X-Served-By %[srv_name]
            {string.Join("\n", servers.Select((s, i) => $"    server api{i + 1} 127.0.0.1:{s.Port} check inter 200ms fall 1 rise 2"))}

            """, cancellationToken); // HAProxy wants the last line ended
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-f", config, "-db" }) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        var haproxy = new HaproxyProcess(process, directory, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => haproxy.Read(e.Data);
        process.ErrorDataReceived += (_, e) => haproxy.Read(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"HAProxy exited with {process.ExitCode}:\n{haproxy.Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return haproxy;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private void Read(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
        return ValueTask.CompletedTask;
    }
}
