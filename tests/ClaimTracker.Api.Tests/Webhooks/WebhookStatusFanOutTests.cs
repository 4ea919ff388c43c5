using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// Status changes reach the outbox after their commit, from the status chain past a cursor: each change once per
/// subscription whatever the concurrency or a second pass, none from before a subscription wanted them.
/// </summary>
public sealed class WebhookStatusFanOutTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static string Statement() => $"Claim {Guid.NewGuid():N} {Guid.NewGuid():N} {Guid.NewGuid():N}.";

    private async Task<long> SeqOfAsync(string slug)
    {
        await using var db = app.CreateDbContext();
        return await db.StatusChanges.Where(c => db.Claims.Any(k => k.Id == c.ClaimId && k.Slug == slug)).MaxAsync(c => c.Seq, Ct);
    }

    private async Task<List<long>> DeliveredSeqsAsync(Guid subscription)
    {
        await using var db = app.CreateDbContext();
        return await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscription).Select(d => d.Event.Seq!.Value).ToListAsync(Ct);
    }

    [Fact]
    public async Task ASubscriptionGetsOnlyTheStatusChangesCommittedAfterItWasCreated()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("later");
        var (before, after) = (TestData.UniqueSlug("before"), TestData.UniqueSlug("after"));
        await admin.CreateClaimAsync(before, subject.Slug, Statement());
        await admin.CreateClaimAsync(after, subject.Slug, Statement());
        using (var early = await admin.ChangeStatusAsync(before, "in_review")) Assert.Equal(HttpStatusCode.OK, early.StatusCode);

        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug });
        using (var late = await admin.ChangeStatusAsync(after, "in_review")) Assert.Equal(HttpStatusCode.OK, late.StatusCode);

        var received = Assert.Single(await receiver.WaitForAsync(r => r.Count >= 1, Patience, "the later change"));
        received.Verify(hook.Secret);
        Assert.Equal(after, received.Json.GetProperty("data").GetProperty("claimSlug").GetString());
        await app.WaitForStatusFanOutAsync();
        Assert.Equal([await SeqOfAsync(after)], await DeliveredSeqsAsync(hook.Id));
    }

    [Fact]
    public async Task ConcurrentStatusChangesAreEachQueuedOncePerSubscriptionWithTheirSeq()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("concurrent");
        var hooks = new[]
        {
            await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug }),
            await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug }),
        };
        var slugs = Enumerable.Range(0, 24).Select(_ => TestData.UniqueSlug("concurrent")).ToList();
        foreach (var slug in slugs) await admin.CreateClaimAsync(slug, subject.Slug, Statement());

        // Eight writers at once: appends race for the chain lock while the fan-out reads behind them.
        await Parallel.ForEachAsync(slugs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (slug, _) =>
        {
            using var editor = await app.CreateClientAsync(Role.Editor);
            using var moved = await editor.ChangeStatusAsync(slug, "in_review");
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        });

        await receiver.WaitForAsync(r => r.Count >= 2 * slugs.Count, Patience, "every change to both subscriptions");
        await app.WaitForStatusFanOutAsync();
        var seqs = new List<long>();
        foreach (var slug in slugs) seqs.Add(await SeqOfAsync(slug));
        foreach (var hook in hooks) Assert.Equal(seqs.Order(), (await DeliveredSeqsAsync(hook.Id)).Order());
        Assert.Equal(2 * slugs.Count, receiver.Received.Count);
        // The body's seq is the event's: one event (one webhook-id) per change, sent to each subscription.
        Assert.All(receiver.Received.GroupBy(r => r.Id), g => Assert.Equal(2, g.Count()));
        Assert.Equal(seqs.Order(), receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("seq").GetInt64()).Distinct().Order());
    }

    [Fact]
    public async Task APassOverChangesAlreadyFannedOutWritesNothing()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("again");
        var hook = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.status_changed"], new { subject = subject.Slug });
        var slug = TestData.UniqueSlug("again");
        await admin.CreateClaimAsync(slug, subject.Slug, Statement());
        using (var moved = await admin.ChangeStatusAsync(slug, "in_review")) Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await app.WaitForStatusFanOutAsync();

        // As if a second instance read with a stale cursor: the unique seq and (event, subscription) keys keep it to one.
        await using var db = app.CreateDbContext();
        await db.Database.ExecuteSqlAsync($"UPDATE webhook_cursors SET seq = 0 WHERE name = 'claim.status_changed'", Ct);
        var pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, 16, DateTimeOffset.UtcNow.AddMinutes(1), Ct);

        Assert.True(pass.Wanted);
        Assert.Equal(0, pass.Written);
        Assert.Empty(pass.Leased);
        Assert.Equal([await SeqOfAsync(slug)], await DeliveredSeqsAsync(hook.Id));
    }

    [Fact]
    public async Task ASubscriptionEnabledAgainGetsNoStatusChangeMadeWhileItWasDisabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("paused");
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug });
        var (during, after) = (TestData.UniqueSlug("during"), TestData.UniqueSlug("after"));
        await admin.CreateClaimAsync(during, subject.Slug, Statement());
        await admin.CreateClaimAsync(after, subject.Slug, Statement());
        using (var off = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{hook.Id}", new { enabled = false }, Ct)) Assert.Equal(HttpStatusCode.OK, off.StatusCode);

        using (var missed = await admin.ChangeStatusAsync(during, "in_review")) Assert.Equal(HttpStatusCode.OK, missed.StatusCode);
        using (var on = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{hook.Id}", new { enabled = true }, Ct)) Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        using (var seen = await admin.ChangeStatusAsync(after, "in_review")) Assert.Equal(HttpStatusCode.OK, seen.StatusCode);

        var received = Assert.Single(await receiver.WaitForAsync(r => r.Count >= 1, Patience, "the change after enabling"));
        Assert.Equal(after, received.Json.GetProperty("data").GetProperty("claimSlug").GetString());
        await app.WaitForStatusFanOutAsync();
        Assert.Equal([await SeqOfAsync(after)], await DeliveredSeqsAsync(hook.Id));
        var body = await (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task APassLeasesAsManyDeliveriesAsItIsGivenSlotsAndLeavesTheRestDue()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("leased");
        var first = await admin.SubscribeAsync("http://127.0.0.1:9/first", ["claim.status_changed"], new { subject = subject.Slug });
        var second = await admin.SubscribeAsync("http://127.0.0.1:9/second", ["claim.status_changed"], new { subject = subject.Slug });
        var slug = TestData.UniqueSlug("leased");
        await admin.CreateClaimAsync(slug, subject.Slug, Statement());
        using (var moved = await admin.ChangeStatusAsync(slug, "in_review")) Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await app.WaitForStatusFanOutAsync();
        var seq = await SeqOfAsync(slug);

        // The change fanned out again, as if for the first time, in a transaction that holds the fan-out lock (the app's own
        // worker waits) and is rolled back: one slot given, so one delivery is leased and returned, the other left due.
        await using var db = app.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({Api.Data.DatabaseLocks.WebhookFanOutKey})", Ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM webhook_events WHERE seq = {seq}", Ct);
        await db.Database.ExecuteSqlAsync($"UPDATE webhook_cursors SET seq = {seq - 1} WHERE name = 'claim.status_changed'", Ct);
        var leaseUntil = DateTimeOffset.UtcNow.AddMinutes(7);
        var pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, 1, leaseUntil, Ct);

        Assert.Equal((1, 1, true, 1), (pass.Scanned, pass.Written, pass.Wanted, pass.LeftDue));
        var leased = Assert.Single(pass.Leased);
        var deliveries = await db.WebhookDeliveries.Where(d => d.Event.Seq == seq)
            .Select(d => new { d.Id, d.EventId, d.SubscriptionId, d.State, d.NextAttemptAt, d.Event.CreatedAt, d.Event.Body }).ToListAsync(Ct);
        Assert.Equal(new[] { first.Id, second.Id }.Order(), deliveries.Select(d => d.SubscriptionId).Order());
        var mine = Assert.Single(deliveries, d => d.Id == leased.DeliveryId);
        Assert.Equal(leaseUntil.ToUnixTimeMilliseconds(), mine.NextAttemptAt.ToUnixTimeMilliseconds());
        var left = Assert.Single(deliveries, d => d.Id != leased.DeliveryId);
        Assert.Equal(left.CreatedAt, left.NextAttemptAt); // due at once, for any worker's claim
        Assert.All(deliveries, d => Assert.Equal(DeliveryState.Pending, d.State));
        // What the caller needs to send it: the event's id (the webhook-id), its body, the subscription's address and secret.
        Assert.Equal((mine.EventId, mine.SubscriptionId, mine.Body, 0, false), (leased.EventId, leased.SubscriptionId, leased.Body, leased.Retries, leased.Attempted));
        Assert.Equal(seq, JsonDocument.Parse(leased.Body).RootElement.GetProperty("data").GetProperty("seq").GetInt64());
        Assert.Equal(leased.SubscriptionId == first.Id ? "http://127.0.0.1:9/first" : "http://127.0.0.1:9/second", leased.Url);
        Assert.Equal(leased.SubscriptionId == first.Id ? first.Secret : second.Secret, leased.Secret);
        await transaction.RollbackAsync(Ct);
    }

    [Fact]
    public async Task ChangesBeyondTheFreeSlotsWaitInTheChainForTheNextPass()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("waiting");
        await admin.SubscribeAsync("http://127.0.0.1:9/first", ["claim.status_changed"], new { subject = subject.Slug });
        await admin.SubscribeAsync("http://127.0.0.1:9/second", ["claim.status_changed"], new { subject = subject.Slug });
        var (one, two) = (TestData.UniqueSlug("one"), TestData.UniqueSlug("two"));
        await admin.CreateClaimAsync(one, subject.Slug, Statement());
        await admin.CreateClaimAsync(two, subject.Slug, Statement());
        using (var moved = await admin.ChangeStatusAsync(one, "in_review")) Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        using (var moved = await admin.ChangeStatusAsync(two, "in_review")) Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await app.WaitForStatusFanOutAsync();
        var (first, second) = (await SeqOfAsync(one), await SeqOfAsync(two));

        // Both changes fanned out again, as if for the first time, under the fan-out lock (rolled back): two slots take the
        // first change's two deliveries; the second change waits in the chain, the cursor stopping before it.
        await using var db = app.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({Api.Data.DatabaseLocks.WebhookFanOutKey})", Ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM webhook_events WHERE seq IN ({first}, {second})", Ct);
        await db.Database.ExecuteSqlAsync($"UPDATE webhook_cursors SET seq = {first - 1} WHERE name = 'claim.status_changed'", Ct);
        async Task<long> HeadAsync() => await db.Database
            .SqlQueryRaw<long>($"SELECT {WebhookStatusFanOut.HeadFunction}() AS \"Value\"").SingleAsync(Ct);
        async Task<long> CursorAsync() => await db.Database
            .SqlQuery<long>($"SELECT seq AS \"Value\" FROM webhook_cursors WHERE name = 'claim.status_changed'").SingleAsync(Ct);

        var pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, 2, DateTimeOffset.UtcNow.AddMinutes(1), Ct);
        Assert.Equal((2, 1, 1, 0, 2, true), (pass.Scanned, pass.Taken, pass.Written, pass.LeftDue, pass.Leased.Count, pass.Waiting));
        Assert.All(pass.Leased, d => Assert.Equal(first, JsonDocument.Parse(d.Body).RootElement.GetProperty("data").GetProperty("seq").GetInt64()));
        Assert.Equal(first, await CursorAsync());
        Assert.Equal(await HeadAsync() - first, await WebhookStatusFanOut.WaitingAsync(db, Ct)); // the gauge's count

        pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, 2, DateTimeOffset.UtcNow.AddMinutes(1), Ct);
        Assert.Equal((1, 1, 1, 0, 2, false), (pass.Scanned, pass.Taken, pass.Written, pass.LeftDue, pass.Leased.Count, pass.Waiting));
        Assert.All(pass.Leased, d => Assert.Equal(second, JsonDocument.Parse(d.Body).RootElement.GetProperty("data").GetProperty("seq").GetInt64()));
        Assert.Equal(second, await CursorAsync());
        Assert.Equal(await HeadAsync() - second, await WebhookStatusFanOut.WaitingAsync(db, Ct));

        // No free slot: nothing is taken, nothing written, the cursor stays.
        await db.Database.ExecuteSqlAsync($"DELETE FROM webhook_events WHERE seq = {second}", Ct);
        await db.Database.ExecuteSqlAsync($"UPDATE webhook_cursors SET seq = {first} WHERE name = 'claim.status_changed'", Ct);
        pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, 0, DateTimeOffset.UtcNow.AddMinutes(1), Ct);
        Assert.Equal((1, 0, 0, 0, true), (pass.Scanned, pass.Taken, pass.Written, pass.Leased.Count, pass.Waiting));
        Assert.Equal(first, await CursorAsync());
        await transaction.RollbackAsync(Ct);
    }
}

/// <summary>The API with one send at a time: the status fan-out can lease one delivery, and leaves the others for claims.</summary>
public sealed class OneSendAtATimeWebhookApp : WebhookApp
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:MaxConcurrentDeliveries", "1");
    }
}

public sealed class WebhookStatusFanOutOverflowTests(OneSendAtATimeWebhookApp app) : IClassFixture<OneSendAtATimeWebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatusChangesBeyondTheFreeSlotsAreStillEachDeliveredOncePerSubscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("overflow");
        var hooks = new[]
        {
            await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug }),
            await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug }),
            await admin.SubscribeAsync(receiver.Url, ["claim.status_changed"], new { subject = subject.Slug }),
        };
        var slugs = Enumerable.Range(0, 10).Select(_ => TestData.UniqueSlug("overflow")).ToList();
        foreach (var slug in slugs) await admin.CreateClaimAsync(slug, subject.Slug, $"Claim {Guid.NewGuid():N} {Guid.NewGuid():N}.");
        await Parallel.ForEachAsync(slugs, new ParallelOptions { MaxDegreeOfParallelism = 5, CancellationToken = Ct }, async (slug, _) =>
        {
            using var moved = await admin.ChangeStatusAsync(slug, "in_review");
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        });

        var received = await receiver.WaitForAsync(r => r.Count >= 3 * slugs.Count, TimeSpan.FromSeconds(30), "every change to the three subscriptions");
        await Task.Delay(500, Ct); // anything sent twice would arrive by now
        Assert.Equal(3 * slugs.Count, receiver.Received.Count);
        Assert.All(received.GroupBy(r => r.Id), g => Assert.Equal(3, g.Count())); // one webhook-id per change, to each subscription
        Assert.Equal(slugs.Order(), received.Select(r => r.Json.GetProperty("data").GetProperty("claimSlug").GetString()!).Distinct().Order());
        await using var db = app.CreateDbContext();
        var ids = hooks.Select(h => h.Id).ToList();
        Assert.Equal(3 * slugs.Count, await db.WebhookDeliveries.CountAsync(d => ids.Contains(d.SubscriptionId) && d.State == DeliveryState.Delivered, Ct));
    }
}
