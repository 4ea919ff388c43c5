using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.LocalPostgres;
using Npgsql;

namespace ClaimTracker.Api.Tests.Data;

/// <summary>
/// The embedded default as `dotnet run` uses it: the real API process with no connection string, on a PostgreSQL of its
/// own in a throwaway folder. It must keep what it acknowledged through a crash, and outlive its server's death.
/// </summary>
public sealed class EmbeddedPostgresTests : IAsyncLifetime
{
    private const string AdminKey = "embedded-test-admin-key-0123456789";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"claimtracker-embedded-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheEmbeddedServerIsDurableAndComesBackWithEverythingAfterItIsKilled()
    {
        await using var api = ApiProcess.Start(Settings());
        using var client = Client(await api.ListeningAsync(StartTimeout, Ct));
        var port = PidFileLine(3);

        Assert.Equal("on", await ShowAsync(port, "fsync"));
        Assert.Equal("on", await ShowAsync(port, "synchronous_commit"));
        Assert.Equal("on", await ShowAsync(port, "full_page_writes"));

        // Acknowledged, then the server is killed before any checkpoint: the WAL on disk must bring it back.
        var slug = $"embedded-{Guid.NewGuid():N}"[..30];
        using (var created = await client.PostAsJsonAsync("/api/v1/claims",
                   new { slug, statement = "TikTok was banned across the US.", kind = "assertion", subject = "bytedance" }, Ct))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        }
        KillPostmaster();

        await WaitForAsync(async () => (await client.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        using (var read = await client.GetAsync($"/api/v1/claims/{slug}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        Assert.Equal(port, PidFileLine(3)); // the same port: the API's connection string still holds
        Assert.Equal("on", await ShowAsync(port, "fsync"));
        Assert.Contains("has stopped; starting it again", api.Output);
        Assert.Contains("is running again", api.Output);

        api.Terminate();
        Assert.Equal(0, await api.ExitCodeAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.False(File.Exists(Path.Combine(ClusterDirectory(), "postmaster.pid")), "the API stops the server it started");
        Assert.False(api.Output.Contains("   at ", StringComparison.Ordinal), api.Output);
    }

    [Fact]
    public async Task WhenItsServerCannotComeBackTheApiStopsWithOneLine()
    {
        await using var api = ApiProcess.Start(Settings(("LocalDatabase__RestartTimeoutSeconds", "3")));
        await api.ListeningAsync(StartTimeout, Ct);

        // The running server ignores its configuration file until restarted; the restart then refuses to start.
        await File.AppendAllTextAsync(Path.Combine(ClusterDirectory(), "postgresql.auto.conf"), "shared_buffers = 'not a size'\n", Ct);
        KillPostmaster();

        Assert.Equal(1, await api.ExitCodeAsync(TimeSpan.FromSeconds(60), Ct));
        var line = Assert.Single(api.Output.Split('\n'), l => l.Contains("could not be started again", StringComparison.Ordinal));
        Assert.Contains("within 3 s", line);
        Assert.DoesNotContain("   at ", api.Output); // no stack trace, at run time or at shutdown with the server gone
        Assert.DoesNotContain("Unhandled exception", api.Output);
    }

    [Fact]
    public async Task StoppingAServerThatIsAlreadyGoneIsClean()
    {
        var cluster = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: false, cancellationToken: Ct);
        Assert.True(cluster.IsRunning);
        KillPostmaster();
        await WaitForAsync(() => Task.FromResult(!cluster.IsRunning), TimeSpan.FromSeconds(30));

        await cluster.DisposeAsync(); // does not throw
    }

    [Fact]
    public async Task AServerRunningWithoutFsyncIsRestartedWhenADurableOneIsAsked()
    {
        var fast = await LocalPostgresCluster.StartAsync(_dataDirectory, stopOnDispose: false, durable: false, cancellationToken: Ct);
        Assert.Equal("off", await ShowAsync(fast.Port, "fsync"));

        await using var durable = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: true, cancellationToken: Ct);

        Assert.False(durable.Reused);
        Assert.True(durable.Durable);
        Assert.Equal("on", await ShowAsync(durable.Port, "fsync"));
    }

    [Fact]
    public async Task ADurableServerAlreadyRunningIsReusedAsItIs()
    {
        await using var first = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: true, cancellationToken: Ct);

        await using var second = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: true, cancellationToken: Ct);

        Assert.True(second.Reused);
        Assert.Equal(first.Port, second.Port);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // Whatever a test left running is stopped; then the folder goes (best effort: a temp folder left behind is harmless).
        if (File.Exists(Path.Combine(ClusterDirectory(), "postmaster.pid")))
        {
            try
            {
                await using var leftover = await LocalPostgresCluster.StartAsync(_dataDirectory, durable: false);
                await leftover.StopAsync();
            }
            catch (LocalPostgresException)
            {
                // e.g. the configuration a test broke on purpose: nothing runs then
            }
        }
        foreach (var directory in new[] { ClusterDirectory(), _dataDirectory }.Distinct())
        {
            try
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
                else if (File.Exists(directory)) File.Delete(directory);
            }
            catch (IOException)
            {
            }
        }
    }

    private Dictionary<string, string> Settings(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["LocalDatabase__DataDirectory"] = _dataDirectory,
            ["Auth__BootstrapAdminKey"] = AdminKey,
        };
        foreach (var (name, value) in more) settings[name] = value;
        return settings;
    }

    private static HttpClient Client(Uri address)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    /// <summary>The cluster's real folder: the launcher relocates one the `postgres` user cannot reach, leaving a link.</summary>
    private string ClusterDirectory() =>
        new DirectoryInfo(_dataDirectory).LinkTarget is { } target ? target : _dataDirectory;

    private int PidFileLine(int line) =>
        int.Parse(File.ReadAllLines(Path.Combine(ClusterDirectory(), "postmaster.pid"))[line].Trim());

    private void KillPostmaster()
    {
        using var postmaster = Process.GetProcessById(PidFileLine(0));
        postmaster.Kill(); // SIGKILL: no shutdown, no checkpoint
    }

    private static async Task<string?> ShowAsync(int port, string setting)
    {
        var connection = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Pooling = false };
        await using var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        await using var command = dataSource.CreateCommand($"SHOW {setting}");
        return (string?)await command.ExecuteScalarAsync(Ct);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
            }
            if (stopwatch.Elapsed > timeout) throw new TimeoutException($"Not within {timeout.TotalSeconds} s.");
            await Task.Delay(200, Ct);
        }
    }
}
