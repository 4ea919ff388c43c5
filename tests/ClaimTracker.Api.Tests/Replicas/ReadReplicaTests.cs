using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Changes;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Replicas;

/// <summary>
/// Reads through a real streaming replica (pg_basebackup -R from a primary of the class's own), held back on purpose
/// with `recovery_min_apply_delay`: which database served a read shows in what it answers (a replica that has not
/// replayed a write answers 404 for it) and in the `claimtracker.reads` counter.
/// </summary>
public sealed class ReadReplicaTests(ReplicaPair pair) : IClassFixture<ReplicaPair>, IAsyncLifetime
{
    private const string TokenHeader = "X-Consistency-Token";
    private static readonly TimeSpan Held = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReadCounter _reads = new();

    /// <summary>Every test starts with a replica that has caught up and that the app reads from.</summary>
    public async ValueTask InitializeAsync()
    {
        if (!pair.Replica.IsRunning) await pair.Replica.RestartAsync(Ct);
        await pair.SetApplyDelayAsync(TimeSpan.Zero);
        await pair.CatchUpAsync();
        await ReadsReachTheReplicaAsync(pair.App);
    }

    public async ValueTask DisposeAsync()
    {
        _reads.Dispose();
        // Whatever a test held back is replayed now, for the next one.
        if (pair.Replica.IsRunning) await pair.Replica.SetApplyDelayAsync(TimeSpan.Zero, CancellationToken.None);
    }

    /// <summary>GETs <paramref name="url"/> (with a token when given), reading the body; says which database served it.</summary>
    private async Task<(HttpStatusCode Status, string Body, string? ServedBy)> ReadAsync(
        ClaimTrackerApp app, string url, string? token = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null) request.Headers.Add(TokenHeader, token);
        var before = _reads.Counts;
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct); // the read is counted before the body ends
        var after = _reads.Counts;
        var servedBy = (after.Primary - before.Primary, after.Replica - before.Replica) switch
        {
            (1, 0) => "primary",
            (0, 1) => "replica",
            _ => null,
        };
        return (response.StatusCode, body, servedBy);
    }

    /// <summary>
    /// Waits until a read that queries is served by the replica: with a connection that works, since one left dead by an
    /// earlier stop fails the read over to the primary and empties the pool.
    /// </summary>
    private async Task ReadsReachTheReplicaAsync(ClaimTrackerApp app) =>
        await Eventually.TrueAsync(async () => (await ReadAsync(app, "/api/v1/claims?limit=1")).ServedBy == "replica",
            "reads to go to the replica");

    /// <summary>Creates a claim through the API; returns its id and the write's consistency token.</summary>
    private static async Task<(Guid Id, string Token)> CreateClaimAsync(ClaimTrackerApp app)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var response = await editor.PostAsJsonAsync("/api/v1/claims", new
        {
            slug = TestData.UniqueSlug("replicated"), kind = "assertion", subject = "bytedance",
            statement = $"A claim written to the primary, number {Guid.NewGuid():N}.",
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        return (created.Id, Assert.Single(response.Headers.GetValues(TokenHeader)));
    }

    [Fact]
    public async Task AReadAfterAWriteThroughALaggingReplicaSeesTheWriteWhenItSendsTheToken()
    {
        await pair.SetApplyDelayAsync(Held);
        var (id, token) = await CreateClaimAsync(pair.App);

        // Without the token: the replica, which has not replayed the write.
        var stale = await ReadAsync(pair.App, $"/api/v1/claims/{id}");
        Assert.Equal((HttpStatusCode.NotFound, "replica"), (stale.Status, stale.ServedBy));
        Assert.False(await pair.ReplicaHasClaimAsync(id));

        // With it: the primary, while the replica lags.
        var fresh = await ReadAsync(pair.App, $"/api/v1/claims/{id}", token);
        Assert.Equal((HttpStatusCode.OK, "primary"), (fresh.Status, fresh.ServedBy));
        Assert.Equal(id, JsonSerializer.Deserialize<ClaimDetailResponse>(fresh.Body, ClaimTrackerApp.Json)!.Id);

        // Once the replica has replayed it, the same read goes to the replica, and sees the write there.
        await pair.SetApplyDelayAsync(TimeSpan.Zero);
        await Eventually.TrueAsync(async () => (await ReadAsync(pair.App, $"/api/v1/claims/{id}", token)) is
            { Status: HttpStatusCode.OK, ServedBy: "replica" }, "the token's read to be served by the replica");
    }

    [Fact]
    public async Task AReplicaLaggingMoreThanMaxReplicaLagSecondsIsSkipped()
    {
        await using var strict = new ReplicatedApp(pair, maxLagSeconds: 1);
        await strict.StartAsync();
        await ReadsReachTheReplicaAsync(strict);
        await pair.SetApplyDelayAsync(Held);
        var (id, _) = await CreateClaimAsync(strict);

        // No token: the replica answers 404 until its lag passes 1 s; then the primary answers, with the claim.
        await Eventually.TrueAsync(async () => (await ReadAsync(strict, $"/api/v1/claims/{id}")).Status == HttpStatusCode.OK,
            "the lagging replica to be skipped", TimeSpan.FromSeconds(10));
        Assert.Equal("primary", (await ReadAsync(strict, $"/api/v1/claims/{id}")).ServedBy);
        Assert.False(await pair.ReplicaHasClaimAsync(id)); // still held back: the fresh read did not come from it
    }

    [Fact]
    public async Task AReplicaThatIsDownIsSkippedWithoutAnErrorAndUsedAgainOnceItIsBack()
    {
        using var client = pair.App.CreateClient();
        await client.GetStringAsync("/metrics", Ct); // prometheus-net hears the meters from its first scrape on
        // Connections to the replica are pooled now; stopping it leaves them dead in the pool.
        for (var i = 0; i < 5; i++) Assert.Equal("replica", (await ReadAsync(pair.App, "/api/v1/claims?limit=5")).ServedBy);
        await pair.Replica.StopAsync();

        foreach (var url in (string[])["/api/v1/claims?limit=5", "/api/v1/claims/bytedance-ai-chips-budget-2025", "/api/v1/stats",
                     "/api/v1/claims/bytedance-ai-chips-budget-2025/history", "/api/v1/timeline"])
        {
            var read = await ReadAsync(pair.App, url);
            Assert.True(read.Status == HttpStatusCode.OK, $"GET {url} with the replica down: {(int)read.Status} {read.Body}");
            Assert.Equal("primary", read.ServedBy);
        }
        await Eventually.TrueAsync(async () => await client.GetStringAsync("/health/ready", Ct) == "Degraded",
            "/health/ready to report the replica (200 Degraded)");

        await pair.Replica.RestartAsync(Ct);
        await ReadsReachTheReplicaAsync(pair.App);
        await Eventually.TrueAsync(async () => await client.GetStringAsync("/health/ready", Ct) == "Healthy", "/health/ready to be Healthy");
        var metrics = await client.GetStringAsync("/metrics", Ct);
        Assert.Contains("claimtracker_claimtracker_reads{database=\"replica\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("claimtracker_claimtracker_reads{database=\"primary\"}", metrics, StringComparison.Ordinal);
        Assert.Matches(new System.Text.RegularExpressions.Regex("^claimtracker_claimtracker_replica_lag\\{replica=\"claimtracker-replica\"\\} [0-9.]+$",
            System.Text.RegularExpressions.RegexOptions.Multiline), metrics);
    }

    [Fact]
    public async Task AReadOnAReplicaThatHasJustGoneDownRunsAgainOnThePrimary()
    {
        // Polled once a minute: only the read itself can find that the replica has gone.
        await using var slow = new ReplicatedApp(pair, maxLagSeconds: 30, pollMilliseconds: 60_000);
        await slow.StartAsync();
        await ReadsReachTheReplicaAsync(slow);
        await pair.Replica.StopAsync();

        var read = await ReadAsync(slow, "/api/v1/claims/bytedance-ai-chips-budget-2025");

        Assert.True(read.Status == HttpStatusCode.OK, $"{(int)read.Status} {read.Body}");
        Assert.Equal("primary", read.ServedBy);
        using var client = slow.CreateClient();
        Assert.Equal("Degraded", await client.GetStringAsync("/health/ready", Ct)); // marked down by the read, not by a poll
        Assert.Equal("primary", (await ReadAsync(slow, "/api/v1/stats")).ServedBy);
    }

    [Fact]
    public async Task WritesGoToThePrimaryAndEachSuccessfulOneCarriesAToken()
    {
        // Pooled DbContexts that served reads from the replica (read-only) serve the writes next.
        for (var i = 0; i < 10; i++) Assert.Equal("replica", (await ReadAsync(pair.App, "/api/v1/claims?limit=5")).ServedBy);
        using var editor = await pair.App.CreateClientAsync(Role.Editor);
        using var admin = await pair.App.CreateClientAsync(Role.Admin);

        var (id, created) = await CreateClaimAsync(pair.App);
        var etag = await ETagAsync(id, created);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{id}")
        {
            Content = new StringContent("""{ "tags": ["replicated"] }""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        patch.Headers.IfMatch.Add(etag);
        using var patched = await editor.SendAsync(patch, Ct);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{id}/status")
        {
            Content = JsonContent.Create(new { status = "in_review", reason = "Checking it." }),
        };
        put.Headers.IfMatch.Add(patched.Headers.ETag!);
        using var statusChanged = await editor.SendAsync(put, Ct);
        using var key = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = $"replicated-{Guid.NewGuid():N}", role = "reader" }, Ct);
        var keyId = JsonDocument.Parse(await key.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString();
        using var deleted = await admin.DeleteAsync($"/api/v1/api-keys/{keyId}", Ct);

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent],
            [patched.StatusCode, statusChanged.StatusCode, key.StatusCode, deleted.StatusCode]);
        var tokens = new[] { patched, statusChanged, key, deleted }.Select(r => r.Headers.GetValues(TokenHeader).Single()).Prepend(created).ToList();
        Assert.All(tokens, t => Assert.True(NpgsqlTypes.NpgsqlLogSequenceNumber.TryParse(t, out _), t));
        Assert.Equal(tokens, tokens.Order(Comparer<string>.Create((a, b) =>
            NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(a).CompareTo(NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(b)))));

        await using var db = pair.App.CreateDbContext(); // on the primary
        var stored = await db.Claims.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
        Assert.Equal(ClaimStatus.InReview, stored.Status);
        Assert.Equal(["replicated"], stored.Tags);

        // A write that fails carries no token.
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{id}/status")
        {
            Content = JsonContent.Create(new { status = "unverified", reason = "Back." }),
        };
        stale.Headers.IfMatch.Add(etag);
        using var refused = await editor.SendAsync(stale, Ct);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.False(refused.Headers.Contains(TokenHeader));
    }

    [Fact]
    public async Task TheChangeStreamReadsThePrimaryWhileTheFeedReadsTheReplicaUnlessGivenTheToken()
    {
        using var reader = pair.App.CreateClient();
        await using var stream = await EventStream.OpenAsync(reader);
        await pair.SetApplyDelayAsync(Held);
        var (id, created) = await CreateClaimAsync(pair.App);
        using var editor = await pair.App.CreateClientAsync(Role.Editor);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{id}/status")
        {
            Content = JsonContent.Create(new { status = "in_review", reason = "Checking it." }),
        };
        put.Headers.IfMatch.Add(await ETagAsync(id, created));
        using var changed = await editor.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var token = changed.Headers.GetValues(TokenHeader).Single();

        // The stream is woken by the primary's NOTIFY and reads the primary: the change arrives though the replica holds it back.
        var change = (await stream.NextEventAsync()).Change;
        Assert.Equal((id, ClaimStatus.InReview), (change.ClaimId, change.To));

        var feed = await ReadAsync(pair.App, $"/api/v1/changes?after={change.Seq - 1}");
        Assert.Equal("replica", feed.ServedBy);
        Assert.DoesNotContain($"\"seq\":{change.Seq}", feed.Body, StringComparison.Ordinal);
        var fresh = await ReadAsync(pair.App, $"/api/v1/changes?after={change.Seq - 1}", token);
        Assert.Equal("primary", fresh.ServedBy);
        Assert.Contains($"\"seq\":{change.Seq}", fresh.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedTokenIs400NamingTheHeader()
    {
        var read = await ReadAsync(pair.App, "/api/v1/claims", token: "yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, read.Status);
        var problem = JsonDocument.Parse(read.Body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains("yesterday", problem.GetProperty("errors").GetProperty(TokenHeader)[0].GetString(), StringComparison.Ordinal);
    }

    /// <summary>The claim's ETag, read with the token of the write that made it (from the primary while the replica lags).</summary>
    private async Task<System.Net.Http.Headers.EntityTagHeaderValue> ETagAsync(Guid id, string token)
    {
        using var client = pair.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{id}");
        request.Headers.Add(TokenHeader, token);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!;
    }
}
