using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;
using static ClaimTracker.Api.Tests.ClaimReview.ClaimReviewFixtures;

namespace ClaimTracker.Api.Tests.ClaimReview;

/// <summary>An import raises the events the API's own writes raise: a claim created, appearances added, a source revised.</summary>
public sealed class ClaimReviewWebhookTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ImportedReviewsWriteClaimCreatedAppearanceAddedAndSourceRevisedEvents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        await admin.SubscribeAsync(receiver.Url, ["claim.created", "appearance.added", "source.revised"]);
        using var editor = await app.CreateClientAsync(Role.Editor);

        var result = await ImportAsync(editor, Read("datafeed.json"));
        var changed = Read("google-example.json").Replace("\"ratingValue\": \"1\"", "\"ratingValue\": \"2\"");
        AssertCounts(await ImportAsync(editor, changed), updated: 1);

        var created = Item(result, GoogleExampleUrl).GetProperty("claim").GetProperty("slug").GetString()!;
        await using var db = app.CreateDbContext();
        var events = await db.WebhookEvents.Select(e => new { e.Type, e.Body }).ToListAsync(Ct);
        Assert.Single(events, e => e.Type == "claim.created" && e.Body.Contains(created));
        Assert.Single(events, e => e.Type == "appearance.added" && e.Body.Contains(created));
        Assert.Single(events, e => e.Type == "appearance.added" && e.Body.Contains(Budget));
        // The same stance (1 and 2 of 5 both dispute): a new revision, no new appearance.
        Assert.Single(events, e => e.Type == "source.revised");
        Assert.Equal(2, events.Count(e => e.Type == "appearance.added"));
    }
}
