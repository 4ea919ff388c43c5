using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>The subscriptions API: create (secret once), list, get, patch, delete, rotate; its unhappy paths as problems.</summary>
public sealed class WebhookSubscriptionsTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACreatedSubscriptionShowsItsSecretOnceAndStoresItsFilterResolved()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("hooked");

        using var created = await admin.PostAsJsonAsync("/api/v1/webhooks", new
        {
            url = "https://newsroom.example/hooks", events = new[] { "claim.created", "claim.status_changed" },
            filter = new { subject = subject.Slug, status = "confirmed" }, description = "Desk",
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/webhooks/{id}", created.Headers.Location!.OriginalString);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);
        Assert.Equal(subject.Slug, body.GetProperty("filter").GetProperty("subject").GetString());

        var read = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}", Ct);
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal(["claim.created", "claim.status_changed"], read.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("confirmed", read.GetProperty("filter").GetProperty("status").GetString());
        await using var db = app.CreateDbContext();
        var row = await db.WebhookSubscriptions.SingleAsync(s => s.Id == id, Ct);
        Assert.Equal((subject.Id, secret, true), (row.FilterSubjectId!.Value, row.Secret, row.Enabled));
    }

    [Theory]
    [InlineData("""{ "events": ["claim.created"] }""", "url")]
    [InlineData("""{ "url": "not a url", "events": ["claim.created"] }""", "url")]
    [InlineData("""{ "url": "ftp://newsroom.example/x", "events": ["claim.created"] }""", "url")]
    [InlineData("""{ "url": "https://user:pw@newsroom.example/x", "events": ["claim.created"] }""", "url")]
    [InlineData("""{ "url": "https://newsroom.example/x" }""", "events")]
    [InlineData("""{ "url": "https://newsroom.example/x", "events": [] }""", "events")]
    [InlineData("""{ "url": "https://newsroom.example/x", "events": ["claim.deleted"] }""", "events")]
    [InlineData("""{ "url": "https://newsroom.example/x", "events": ["webhook.ping"] }""", "events")]
    [InlineData("""{ "url": "https://newsroom.example/x", "events": ["claim.created"], "filter": { "status": "maybe" } }""", "filter.status")]
    [InlineData("""{ "url": "https://newsroom.example/x", "events": ["claim.created"], "filter": { "subject": "no-such-entity-anywhere" } }""", "filter.subject")]
    public async Task BadInputIs400NamingTheFieldAndStoresNothing(string json, string field)
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        await using var db = app.CreateDbContext();
        var before = await db.WebhookSubscriptions.CountAsync(Ct);

        using var response = await admin.PostAsync("/api/v1/webhooks", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await db.WebhookSubscriptions.CountAsync(Ct));
    }

    [Fact]
    public async Task OnlyAdminsManageWebhooks()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var anonymous = app.CreateClient();

        using var asEditor = await editor.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://newsroom.example/x", events = new[] { "claim.created" } }, Ct);
        using var listAnonymous = await anonymous.GetAsync("/api/v1/webhooks", Ct);

        await Problems.AssertProblemAsync(asEditor, HttpStatusCode.Forbidden);
        await Problems.AssertProblemAsync(listAnonymous, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownIdsAre404Problems()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var unknown = Guid.NewGuid();
        var mine = await admin.SubscribeAsync("https://newsroom.example/x", ["claim.created"]);

        foreach (var response in new[]
                 {
                     await admin.GetAsync($"/api/v1/webhooks/{unknown}", Ct),
                     await admin.PatchAsJsonAsync($"/api/v1/webhooks/{unknown}", new { enabled = false }, Ct),
                     await admin.DeleteAsync($"/api/v1/webhooks/{unknown}", Ct),
                     await admin.PostAsync($"/api/v1/webhooks/{unknown}/rotate-secret", null, Ct),
                     await admin.PostAsync($"/api/v1/webhooks/{unknown}/ping", null, Ct),
                     await admin.GetAsync($"/api/v1/webhooks/{unknown}/deliveries", Ct),
                     await admin.PostAsync($"/api/v1/webhooks/{mine.Id}/deliveries/{unknown}/redeliver", null, Ct),
                 })
        {
            using (response) await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task PatchChangesOnlyTheFieldsSentAndValidatesThem()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var mine = await admin.SubscribeAsync("https://newsroom.example/a", ["claim.created"], new { status = "disputed" });

        using var bad = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{mine.Id}", new { events = new[] { "nope" }, enabled = false }, Ct);
        await Problems.AssertValidationProblemAsync(bad, "events");
        await using (var db = app.CreateDbContext())
        {
            Assert.True((await db.WebhookSubscriptions.SingleAsync(s => s.Id == mine.Id, Ct)).Enabled, "a refused patch changes nothing");
        }

        using var patched = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{mine.Id}",
            new { enabled = false, events = new[] { "appearance.added" }, description = "Renamed" }, Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await patched.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("https://newsroom.example/a", body.GetProperty("url").GetString());
        Assert.Equal(["appearance.added"], body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("disputed", body.GetProperty("filter").GetProperty("status").GetString());

        using var cleared = await admin.PatchAsJsonAsync($"/api/v1/webhooks/{mine.Id}", new { filter = new { } }, Ct);
        Assert.Equal(JsonValueKind.Null, (await cleared.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("filter").ValueKind);
    }

    [Fact]
    public async Task DeleteRemovesTheSubscriptionAndItsDeliveries()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var mine = await admin.SubscribeAsync("http://127.0.0.1:9/nobody", ["claim.created"]);
        using var ping = await admin.PostAsync($"/api/v1/webhooks/{mine.Id}/ping", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        // The ping's first attempt (refused: nobody listens on port 9) is in the log before the delete.
        var attempted = await admin.WaitForDeliveriesAsync(mine.Id, items => items.EnumerateArray().Any(d => d.GetProperty("attempts").GetArrayLength() > 0),
            TimeSpan.FromSeconds(15), "the ping's first attempt");
        var deliveryIds = attempted.EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToList();

        using var deleted = await admin.DeleteAsync($"/api/v1/webhooks/{mine.Id}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var again = await admin.GetAsync($"/api/v1/webhooks/{mine.Id}", Ct);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound);
        await using var db = app.CreateDbContext();
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.SubscriptionId == mine.Id, Ct));
        Assert.False(await db.WebhookAttempts.AnyAsync(a => deliveryIds.Contains(a.DeliveryId), Ct)); // the log goes with them
    }

    [Fact]
    public async Task TheListPagesNewestFirstWithoutSecrets()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var first = await admin.SubscribeAsync("https://newsroom.example/1", ["claim.created"]);
        var second = await admin.SubscribeAsync("https://newsroom.example/2", ["claim.created"]);

        var page = await admin.GetFromJsonAsync<JsonElement>("/api/v1/webhooks?limit=1", Ct);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(second.Id, Assert.Single(items).GetProperty("id").GetGuid());
        Assert.False(items[0].TryGetProperty("secret", out _));
        var next = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks?limit=1&cursor={page.GetProperty("nextCursor").GetString()}", Ct);
        Assert.Equal(first.Id, Assert.Single(next.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        using var badCursor = await admin.GetAsync("/api/v1/webhooks?cursor=garbage", Ct);
        await Problems.AssertValidationProblemAsync(badCursor, "cursor");
    }

    [Fact]
    public async Task RotatingKeepsThePreviousSecretFor24Hours()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var mine = await admin.SubscribeAsync("https://newsroom.example/r", ["claim.created"]);

        using var rotated = await admin.PostAsync($"/api/v1/webhooks/{mine.Id}/rotate-secret", null, Ct);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.NotEqual(mine.Secret, secret);
        var expires = body.GetProperty("previousSecretExpiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        await using var db = app.CreateDbContext();
        var row = await db.WebhookSubscriptions.SingleAsync(s => s.Id == mine.Id, Ct);
        Assert.Equal((secret, mine.Secret), (row.Secret, row.PreviousSecret));
    }
}
