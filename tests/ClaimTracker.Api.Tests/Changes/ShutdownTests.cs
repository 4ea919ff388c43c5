using System.Diagnostics;
using System.Net;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Changes;

/// <summary>
/// SIGTERM (docker stop, Kubernetes, systemd) drains the real process: open change streams end at once, so their clients
/// reconnect to another instance with `Last-Event-ID`, instead of holding the shutdown for its whole timeout; then it
/// exits 0 and stops listening.
/// </summary>
public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SigtermEndsOpenStreamsAndExitsZeroPromptly()
    {
        await using var api = ApiProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimTracker"] = await PostgresServer.Current.CreateDatabaseAsync(),
        });
        var address = await api.ListeningAsync(TimeSpan.FromSeconds(60), Ct);
        using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await client.GetAsync("/api/v1/changes/stream", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        await using var body = await stream.Content.ReadAsStreamAsync(Ct);
        using var reader = new StreamReader(body);
        Assert.StartsWith("retry:", await reader.ReadLineAsync(Ct)); // the stream is open and waiting for changes

        var clock = Stopwatch.StartNew();
        api.Terminate();
        // The stream ends (end of body, not a hang until the heartbeat or the host's 30 s shutdown timeout).
        var rest = await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, await api.ExitCodeAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain("event:", rest);
        Assert.DoesNotContain("   at ", api.Output); // no stack trace on the way out

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/health/live", Ct)); // no longer listening
    }
}
