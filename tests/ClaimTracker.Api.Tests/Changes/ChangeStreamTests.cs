using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimTracker.Api.Tests.Changes;

/// <summary>The API with a heartbeat (and so a database re-read) every second.</summary>
public sealed class FastHeartbeatApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ChangeStream:HeartbeatSeconds", "1");
    }
}

/// <summary>
/// Another instance on an existing app's database. Its heartbeat, when streams also re-read the database, is ten
/// minutes away: within a test, a change can only reach its streams through NOTIFY.
/// </summary>
internal sealed class SecondInstance(string connectionString) : ClaimTrackerApp(connectionString)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ChangeStream:HeartbeatSeconds", "600");
    }
}

public sealed class ChangeStreamTests(FastHeartbeatApp app) : IClassFixture<FastHeartbeatApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Changes the claim's status through the API (no evidence needed for these statuses); returns the history row.</summary>
    private async Task<StatusChangeResponse> ChangeStatusAsync(Guid claimId, string status)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var get = await editor.GetAsync($"/api/v1/claims/{claimId}", Ct);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claimId}/status")
        {
            Content = JsonContent.Create(new { status, reason = $"Now {status}." }),
        };
        put.Headers.IfMatch.Add(get.Headers.ETag!);
        using var response = await editor.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await app.GetJsonAsync<ClaimHistoryResponse>($"/api/v1/claims/{claimId}/history")).Items[^1];
    }

    /// <summary>The change exactly as `GET /changes` serialises it.</summary>
    private async Task<string> FeedJsonAsync(long seq)
    {
        using var client = app.CreateClient();
        var feed = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/changes?after={seq - 1}&limit=1", Ct)).RootElement;
        return feed.GetProperty("items")[0].GetRawText();
    }

    private async Task<List<long>> StoredSeqsAsync()
    {
        await using var db = app.CreateDbContext();
        return await db.StatusChanges.OrderBy(c => c.Seq).Select(c => c.Seq).ToListAsync(Ct);
    }

    private static async Task<EventBlock?> NextNonHeartbeatAsync(EventStream stream)
    {
        while (await stream.NextBlockAsync() is { } block)
        {
            if (!block.IsHeartbeat) return block;
        }
        return null;
    }

    [Fact]
    public async Task AChangeMadeThroughOneInstanceArrivesOnAnotherInstancesStream()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        await using var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        using var client = second.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);
        Assert.Equal("3000", (await stream.NextBlockAsync())?.Field("retry"));

        var change = await ChangeStatusAsync(claim.Id, "in_review");

        var received = await stream.NextBlockAsync();
        Assert.NotNull(received);
        Assert.Equal((change.Seq.ToString(), "status_change"), (received.Id, received.Event));
        Assert.Equal(await FeedJsonAsync(change.Seq), received.Data);
        Assert.Equal((claim.Id, ClaimStatus.Unverified, ClaimStatus.InReview, "test-editor"),
            (received.Change.ClaimId, received.Change.From, received.Change.To, received.Change.Actor));
    }

    [Fact]
    public async Task TheListenerReconnectsAfterLosingItsConnectionAndMissesNothing()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        await using var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        using var client = second.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);
        await using var db = app.CreateDbContext();
        const string listeners = "FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ClaimTracker change listener'";
        var killed = await db.Database.SqlQueryRaw<int>($"SELECT pid AS \"Value\" {listeners}").ToListAsync(Ct);
        Assert.NotEmpty(killed);

        await db.Database.ExecuteSqlRawAsync($"SELECT pg_terminate_backend(pid) {listeners}", Ct);
        var change = await ChangeStatusAsync(claim.Id, "in_review");

        Assert.Equal(change.Seq.ToString(), (await stream.NextEventAsync()).Id);
        var listening = await db.Database.SqlQueryRaw<int>($"SELECT pid AS \"Value\" {listeners}").ToListAsync(Ct);
        Assert.NotEmpty(listening);
        Assert.Empty(listening.Intersect(killed));
    }

    [Fact]
    public async Task WithoutAResumePointOnlyChangesFromNowOnAreSent()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        var last = (await StoredSeqsAsync())[^1];
        using var client = app.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);

        var change = await ChangeStatusAsync(claim.Id, "in_review");

        Assert.Equal(last + 1, change.Seq);
        Assert.Equal(change.Seq.ToString(), (await stream.NextEventAsync()).Id);
    }

    [Fact]
    public async Task ResumingWithLastEventIdSendsEveryLaterChangeOnceInOrder()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var client = app.CreateClient();
        string seen;
        await using (var stream = await EventStream.OpenAsync(client))
        {
            await ChangeStatusAsync(claim.Id, "in_review");
            seen = (await stream.NextEventAsync()).Id!;
        }

        var missed = new[] { await ChangeStatusAsync(claim.Id, "inconclusive"), await ChangeStatusAsync(claim.Id, "in_review") };
        await using var resumed = await EventStream.OpenAsync(client, lastEventId: seen);

        Assert.Equal("3000", (await resumed.NextBlockAsync())?.Field("retry"));
        foreach (var change in missed)
        {
            var received = await NextNonHeartbeatAsync(resumed);
            Assert.Equal(change.Seq.ToString(), received?.Id);
            Assert.Equal(await FeedJsonAsync(change.Seq), received?.Data);
        }
        // Nothing repeated: the stream is idle (heartbeats only) after the two.
        Assert.True((await resumed.NextBlockAsync())?.IsHeartbeat);
        Assert.True((await resumed.NextBlockAsync())?.IsHeartbeat);
    }

    [Fact]
    public async Task AfterZeroStreamsTheWholeHistoryInSeqOrder()
    {
        var stored = await StoredSeqsAsync();
        Assert.True(stored.Count >= 17, "The seeded story has 17 status changes.");
        using var client = app.CreateClient();
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/changes/stream?after=0");

        var received = new List<EventBlock>();
        while (received.Count < stored.Count) received.Add(await stream.NextEventAsync());

        Assert.Equal(stored.Select(s => s.ToString()), received.Select(e => e.Id));
        Assert.All(received, e => Assert.Equal("status_change", e.Event));
        Assert.Equal(received.Select(e => e.Id), received.Select(e => e.Change.Seq.ToString()));
        Assert.Equal(await FeedJsonAsync(1), received[0].Data);
    }

    [Fact]
    public async Task LastEventIdWinsOverAfter()
    {
        var stored = await StoredSeqsAsync();
        using var client = app.CreateClient();

        await using var stream = await EventStream.OpenAsync(client, "/api/v1/changes/stream?after=0", lastEventId: stored[^2].ToString());

        Assert.Equal(stored[^1].ToString(), (await stream.NextEventAsync()).Id);
    }

    [Fact]
    public async Task AChangeWhoseNotificationIsLostStillArrivesByTheNextHeartbeat()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var client = app.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);
        long seq;
        await using (var db = app.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            // Triggers off for this transaction: the change is committed without its NOTIFY.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL session_replication_role = replica", Ct);
            var change = await StatusHistory.WriteAsync(db, claim.Id, expectedVersion: null,
                new StatusMove(claim.Status, ClaimStatus.InReview, "Checking.", [], [], "desk", DateTimeOffset.UtcNow), Ct);
            seq = change!.Seq;
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(seq.ToString(), (await stream.NextEventAsync()).Id);
    }

    [Fact]
    public async Task AnIdleStreamGetsRetryThenHeartbeats()
    {
        using var client = app.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);

        var first = await stream.NextBlockAsync();
        var next = new[] { await stream.NextBlockAsync(), await stream.NextBlockAsync() };

        Assert.Equal([("retry", "3000")], first?.Lines);
        Assert.All(next, b => Assert.Equal([("", "keep-alive")], b?.Lines));
    }

    [Fact]
    public async Task StreamIsAnEventStreamThatNoCacheOrProxyHoldsBack()
    {
        using var client = app.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);

        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoStore);
        Assert.Equal(["no"], stream.Response.Headers.GetValues("X-Accel-Buffering"));
    }

    [Theory]
    [InlineData("Last-Event-ID", "abc")]
    [InlineData("Last-Event-ID", "-1")]
    [InlineData("Last-Event-ID", "1.5")]
    [InlineData("Last-Event-ID", "99999999999999999999")]
    [InlineData("after", "abc")]
    [InlineData("after", "-1")]
    public async Task InvalidResumePointIs400NamingIt(string field, string value)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            field == "after" ? $"/api/v1/changes/stream?after={Uri.EscapeDataString(value)}" : "/api/v1/changes/stream");
        if (field != "after") request.Headers.TryAddWithoutValidation(field, value);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(EventStream.Timeout);

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        await Problems.AssertValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task DisconnectingEndsTheStreamOnTheServer()
    {
        // An instance of its own: the class's app may still be ending streams other tests have left, so its count is
        // not this test's to assert on.
        await using var own = new SecondInstance(app.ConnectionString);
        await own.InitializeAsync();
        var listener = own.Services.GetRequiredService<ChangeListener>();
        using var client = own.CreateClient();
        await using (var stream = await EventStream.OpenAsync(client))
        {
            Assert.Equal(1, listener.SubscriberCount);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(EventStream.Timeout);
        while (listener.SubscriberCount > 0) await Task.Delay(50, timeout.Token);
    }

    [Fact]
    public async Task StoppingAnInstanceEndsItsStreams()
    {
        var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        using var client = second.CreateClient();
        await using var stream = await EventStream.OpenAsync(client);
        Assert.Equal("3000", (await stream.NextBlockAsync())?.Field("retry"));

        // Stopping waits for open requests: it must not hang on the stream.
        await ((IAsyncDisposable)second).DisposeAsync().AsTask().WaitAsync(EventStream.Timeout, Ct);

        // Kestrel ends the response; the test server may abort it instead, as it does not wait for open requests.
        try
        {
            Assert.Null(await stream.NextBlockAsync());
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The API allowing one open stream.</summary>
public sealed class OneStreamApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ChangeStream:MaxSubscribers", "1");
    }
}

public sealed class ChangeStreamLimitTests(OneStreamApp app) : IClassFixture<OneStreamApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StreamBeyondMaxSubscribersIs503WithRetryAfterUntilOneCloses()
    {
        using var client = app.CreateClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(EventStream.Timeout);
        await using (var open = await EventStream.OpenAsync(client))
        {
            using var refused = await client.GetAsync("/api/v1/changes/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);

            await Problems.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        // The one slot is free again once the server has ended the closed stream: watched through the API itself, not
        // through the listener's count, which any other stream on this app would also move.
        while (true)
        {
            using var retry = await client.GetAsync("/api/v1/changes/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (retry.StatusCode == HttpStatusCode.OK) break;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, retry.StatusCode);
            await Task.Delay(50, timeout.Token);
        }
    }
}
