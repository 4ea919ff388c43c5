using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// The outbox writes an event only while an enabled subscription asks for its type: a newsroom without subscribers keeps
/// no event rows. This class's database has no subscription until the test makes one.
/// </summary>
public sealed class WebhookOutboxSparingTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EventsAreWrittenOnlyForTheTypesAnEnabledSubscriptionWants()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("unwatched");
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.WebhookSubscriptions.CountAsync(Ct));
        var before = await db.WebhookEvents.CountAsync(Ct);

        // Every kind of write, nobody subscribed: no event.
        var first = TestData.UniqueSlug("unwatched");
        await admin.CreateClaimAsync(first, subject.Slug);
        var sourceId = await AddAppearanceAsync(admin, first);
        await ReviseAsync(admin, sourceId);
        using (var status = await admin.ChangeStatusAsync(first, "in_review")) Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(before, await db.WebhookEvents.CountAsync(Ct));

        // A disabled subscription wants nothing either.
        var disabled = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["appearance.added"]);
        using (var patch = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{disabled.Id}", new { enabled = false }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        await AddAppearanceAsync(admin, first);
        Assert.Equal(before, await db.WebhookEvents.CountAsync(Ct));

        // Subscribed to claim.created only: that event, and no other.
        await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.created"]);
        var second = TestData.UniqueSlug("watched");
        await admin.CreateClaimAsync(second, subject.Slug);
        await AddAppearanceAsync(admin, second);
        using (var status = await admin.ChangeStatusAsync(second, "in_review")) Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var written = await db.WebhookEvents.AsNoTracking().OrderBy(e => e.CreatedAt).Skip(before).ToListAsync(Ct);
        var created = Assert.Single(written);
        Assert.Equal("claim.created", created.Type);
        Assert.Equal(second, JsonDocument.Parse(created.Body).RootElement.GetProperty("data").GetProperty("claimSlug").GetString());
    }

    private static async Task<Guid> AddAppearanceAsync(HttpClient editor, string slug)
    {
        using var source = await editor.PostAsJsonAsync("/api/v1/sources",
            new { kind = "statement", title = "Spokesperson", content = $"The spokesperson said {slug} was not accurate." }, Ct);
        Assert.Equal(HttpStatusCode.Created, source.StatusCode);
        var sourceId = (await source.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var added = await editor.PostAsJsonAsync($"/api/v1/claims/{slug}/appearances",
            new { sourceId, stance = "reports", quote = new { exact = "was not accurate" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return sourceId;
    }

    private static async Task ReviseAsync(HttpClient editor, Guid sourceId)
    {
        using var read = await editor.GetAsync($"/api/v1/sources/{sourceId}", Ct);
        using var revise = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{sourceId}/content")
        {
            Content = JsonContent.Create(new { content = "The spokesperson declined to comment." }),
        };
        revise.Headers.IfMatch.Add(read.Headers.ETag!);
        using var revised = await editor.SendAsync(revise, Ct);
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
    }
}

/// <summary>
/// The retention's prune: old events go with their deliveries and attempts; an old event still pending, and a recent one,
/// stay. Rows are written directly, dated in the past, with deliveries due far in the future so no worker touches them.
/// </summary>
public sealed class WebhookRetentionTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePruneDeletesOldFinishedEventsWithTheirLogAndKeepsPendingAndRecentOnes()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.created"]);
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-40);
        await using var db = app.CreateDbContext();
        WebhookEvent Event(DateTimeOffset at, DeliveryState state)
        {
            // A type the subscription does not ask for, so that the fan-out trigger queues nothing beside these rows.
            var row = new WebhookEvent { Type = "source.revised", Body = "{}", CreatedAt = at };
            var delivery = new WebhookDelivery
            {
                Event = row, SubscriptionId = hook.Id, State = state, CreatedAt = at, NextAttemptAt = now.AddDays(365),
                CompletedAt = state == DeliveryState.Pending ? null : at,
            };
            delivery.Attempts.Add(new WebhookAttempt { AttemptedAt = at, StatusCode = 500, DurationMs = 3 });
            db.WebhookDeliveries.Add(delivery);
            return row;
        }
        var (delivered, failed, pending, recent) =
            (Event(old, DeliveryState.Delivered), Event(old, DeliveryState.Failed), Event(old, DeliveryState.Pending), Event(now, DeliveryState.Delivered));
        await db.SaveChangesAsync(Ct);
        Guid[] ours = [delivered.Id, failed.Id, pending.Id, recent.Id];

        var deleted = await WebhookRetention.PruneAsync(db, now.AddDays(-30), Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(new[] { pending.Id, recent.Id }.Order(), (await db.WebhookEvents.Where(e => ours.Contains(e.Id)).Select(e => e.Id).ToListAsync(Ct)).Order());
        Assert.Equal(2, await db.WebhookDeliveries.CountAsync(d => ours.Contains(d.EventId), Ct));
        Assert.Equal(2, await db.WebhookAttempts.CountAsync(a => db.WebhookDeliveries.Any(d => d.Id == a.DeliveryId && ours.Contains(d.EventId)), Ct));
        Assert.Equal(0, await db.WebhookAttempts.CountAsync(a => !db.WebhookDeliveries.Any(d => d.Id == a.DeliveryId), Ct));
        // A second prune finds nothing more.
        Assert.Equal(0, await WebhookRetention.PruneAsync(db, now.AddDays(-30), Ct));
    }
}
