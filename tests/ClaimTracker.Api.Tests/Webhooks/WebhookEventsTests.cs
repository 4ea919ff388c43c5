using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using StandardWebhooks.Diagnostics;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// Each event type reaches a real receiver, signed so that the StandardWebhooks package verifies it; filters keep the
/// others out; a refused write writes no event. Every test subscribes with its own entity as the filter's subject.
/// </summary>
public sealed class WebhookEventsTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static string Statement() => $"Claim {Guid.NewGuid():N} {Guid.NewGuid():N} {Guid.NewGuid():N}.";

    [Fact]
    public async Task ACreatedClaimAndItsStatusChangeAreDeliveredSignedWithTheChainSeq()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("signed");
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created", "claim.status_changed"], new { subject = subject.Slug });
        var slug = TestData.UniqueSlug("signed");

        var claim = await admin.CreateClaimAsync(slug, subject.Slug, Statement());
        using var changed = await admin.ChangeStatusAsync(slug, "in_review");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var received = await receiver.WaitForAsync(r => r.Count >= 2, Patience, "two events");
        Assert.Equal(2, received.Count);
        foreach (var request in received) request.Verify(hook.Secret);
        Assert.Throws<WebhookVerificationException>(() => received[0].Verify("whsec_" + Convert.ToBase64String(new byte[32])));

        var created = Assert.Single(received, r => r.Type == "claim.created");
        Assert.True(created.Body.Length <= 20 * 1024);
        var data = created.Json.GetProperty("data");
        Assert.Equal(claim.GetProperty("id").GetGuid(), data.GetProperty("claimId").GetGuid());
        Assert.Equal((slug, subject.Slug, subject.Id), (data.GetProperty("claimSlug").GetString(), data.GetProperty("subjectSlug").GetString(),
            data.GetProperty("subjectId").GetGuid()));
        Assert.InRange(long.Parse(created.Headers["webhook-timestamp"].ToString()),
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var moved = Assert.Single(received, r => r.Type == "claim.status_changed").Json.GetProperty("data");
        Assert.Equal(("unverified", "in_review"), (moved.GetProperty("from").GetString(), moved.GetProperty("to").GetString()));
        await using var db = app.CreateDbContext();
        var claimId = claim.GetProperty("id").GetGuid();
        var seq = await db.StatusChanges.Where(c => c.ClaimId == claimId).Select(c => c.Seq).SingleAsync(Ct);
        Assert.Equal(seq, moved.GetProperty("seq").GetInt64());
        // The webhook-id is the event's id, as the deliveries list shows it.
        var deliveries = await admin.WaitForDeliveriesAsync(hook.Id,
            items => items.EnumerateArray().All(d => d.GetProperty("state").GetString() == "delivered") && items.GetArrayLength() == 2,
            Patience, "both deliveries recorded delivered");
        Assert.Equal(received.Select(r => r.Id).Order(), deliveries.EnumerateArray().Select(d => d.GetProperty("webhookId").GetGuid().ToString()).Order());
        // The outbox lag of each first attempt is measured (a process-wide histogram: at least these two).
        using var metrics = await app.CreateClient().GetAsync("/metrics", Ct);
        var text = await metrics.Content.ReadAsStringAsync(Ct);
        var lagCount = new System.Text.RegularExpressions.Regex(@"^claimtracker_claimtracker_webhooks_outbox_lag\w*_count(?:\{[^}]*\})? (\d+)",
            System.Text.RegularExpressions.RegexOptions.Multiline).Match(text);
        Assert.True(lagCount.Success && long.Parse(lagCount.Groups[1].Value) >= 2,
            "no outbox lag measured: " + string.Join("\n", text.Split('\n').Where(l => l.StartsWith("claimtracker_", StringComparison.Ordinal))));
        Assert.All(deliveries.EnumerateArray(), d => Assert.Equal(204, Assert.Single(d.GetProperty("attempts").EnumerateArray()).GetProperty("statusCode").GetInt32()));
    }

    [Fact]
    public async Task AnAppearanceAndARevisionThatOrphansItsQuoteAreDeliveredWithTheirIds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("quoted");
        var hook = await admin.SubscribeAsync(receiver.Url, ["appearance.added", "source.revised"], new { subject = subject.Id.ToString() });
        var slug = TestData.UniqueSlug("quoted");
        await admin.CreateClaimAsync(slug, subject.Slug, Statement());
        using var source = await admin.PostAsJsonAsync("/api/v1/sources",
            new { kind = "statement", title = "Spokesperson", content = "Il portavoce ha dichiarato che le informazioni non sono corrette." }, Ct);
        Assert.Equal(HttpStatusCode.Created, source.StatusCode);
        var sourceId = (await source.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        using var added = await admin.PostAsJsonAsync($"/api/v1/claims/{slug}/appearances",
            new { sourceId, stance = "reports", quote = new { exact = "non sono corrette" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var appearanceId = (await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var read = await admin.GetAsync($"/api/v1/sources/{sourceId}", Ct);
        using var revise = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{sourceId}/content")
        {
            Content = JsonContent.Create(new { content = "Il portavoce non ha commentato." }),
        };
        revise.Headers.IfMatch.Add(read.Headers.ETag!);
        using var revised = await admin.SendAsync(revise, Ct);
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);

        var received = await receiver.WaitForAsync(r => r.Count >= 2, Patience, "the appearance and the revision");
        foreach (var request in received) request.Verify(hook.Secret);
        var appearance = Assert.Single(received, r => r.Type == "appearance.added").Json.GetProperty("data");
        Assert.Equal((appearanceId, sourceId), (appearance.GetProperty("appearanceId").GetGuid(), appearance.GetProperty("sourceId").GetGuid()));
        var revision = Assert.Single(received, r => r.Type == "source.revised").Json.GetProperty("data");
        Assert.Equal(sourceId, revision.GetProperty("sourceId").GetGuid());
        Assert.Equal(2, revision.GetProperty("revision").GetInt32());
        Assert.Equal([appearanceId], revision.GetProperty("orphanedAppearanceIds").EnumerateArray().Select(e => e.GetGuid()));
    }

    [Fact]
    public async Task SuggestedLinksAtCreateAreDeliveredAsDuplicateSuggested()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("suggested");
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.duplicate_suggested"], new { subject = subject.Slug });
        var slug = TestData.UniqueSlug("suggested");

        // Same topic as the seeded budget claims, another figure: the matcher suggests related claims (DuplicateGuardTests).
        var claim = await admin.CreateClaimAsync(slug, subject.Slug, "ByteDance plans to spend $20 billion on AI chips in 2026.");

        var received = Assert.Single(await receiver.WaitForAsync(r => r.Count >= 1, Patience, "the suggestions"));
        received.Verify(hook.Secret);
        var data = received.Json.GetProperty("data");
        Assert.Equal(claim.GetProperty("id").GetGuid(), data.GetProperty("claimId").GetGuid());
        await using var db = app.CreateDbContext();
        var claimId = claim.GetProperty("id").GetGuid();
        var stored = await db.ClaimLinks.Where(l => l.ClaimId == claimId).Select(l => l.OtherId).ToListAsync(Ct);
        Assert.NotEmpty(stored);
        Assert.Equal(stored.Order(), data.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("claimId").GetGuid()).Order());
    }

    [Fact]
    public async Task FiltersOnSubjectAndStatusQueueOnlyMatchingEvents()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var mine = await app.AddEntityAsync("filtered");
        var other = await app.AddEntityAsync("unfiltered");
        var bySubject = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.created"], new { subject = mine.Slug });
        var byStatus = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.status_changed"], new { subject = mine.Slug, status = "inconclusive" });
        var (kept, dropped) = (TestData.UniqueSlug("kept"), TestData.UniqueSlug("dropped"));

        await admin.CreateClaimAsync(dropped, other.Slug, Statement());
        await admin.CreateClaimAsync(kept, mine.Slug, Statement());
        using (var review = await admin.ChangeStatusAsync(kept, "in_review")) Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        using (var inconclusive = await admin.ChangeStatusAsync(kept, "inconclusive")) Assert.Equal(HttpStatusCode.OK, inconclusive.StatusCode);
        await app.WaitForStatusFanOutAsync();

        await using var db = app.CreateDbContext();
        var subjectEvents = await db.WebhookDeliveries.Where(d => d.SubscriptionId == bySubject.Id).Select(d => d.Event.Body).ToListAsync(Ct);
        Assert.Contains(kept, Assert.Single(subjectEvents));
        var statusEvents = await db.WebhookDeliveries.Where(d => d.SubscriptionId == byStatus.Id).Select(d => d.Event.Body).ToListAsync(Ct);
        Assert.Equal("inconclusive", JsonDocument.Parse(Assert.Single(statusEvents)).RootElement.GetProperty("data").GetProperty("to").GetString());
    }

    [Fact]
    public async Task ARefusedStatusChangeWritesNoEvent()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("refused");
        var hook = await admin.SubscribeAsync("http://127.0.0.1:9/none", ["claim.status_changed"], new { subject = subject.Slug });
        var slug = TestData.UniqueSlug("refused");
        await admin.CreateClaimAsync(slug, subject.Slug, Statement());
        using var read = await admin.GetAsync($"/api/v1/claims/{slug}", Ct);
        var stale = read.Headers.ETag!;
        using (var first = await admin.ChangeStatusAsync(slug, "in_review", stale)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var late = await admin.ChangeStatusAsync(slug, "inconclusive", stale);
        using var noEvidence = await admin.ChangeStatusAsync(slug, "confirmed");

        await Problems.AssertProblemAsync(late, HttpStatusCode.PreconditionFailed);
        await Problems.AssertProblemAsync(noEvidence, HttpStatusCode.UnprocessableEntity);
        await app.WaitForStatusFanOutAsync();
        await using var db = app.CreateDbContext();
        var bodies = await db.WebhookEvents.Where(e => e.Type == "claim.status_changed" && e.Body.Contains(slug)).Select(e => e.Body).ToListAsync(Ct);
        Assert.Equal("in_review", JsonDocument.Parse(Assert.Single(bodies)).RootElement.GetProperty("data").GetProperty("to").GetString());
        Assert.Equal(1, await db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == hook.Id, Ct));
    }
}
