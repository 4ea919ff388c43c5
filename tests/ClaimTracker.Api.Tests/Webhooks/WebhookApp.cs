using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// The API with webhooks to loopback receivers over http, a retry schedule in seconds, a 1 s timeout and a short poll, so
/// that retries happen within a test.
/// </summary>
public class WebhookApp : ClaimTrackerApp
{
    public const string RetrySchedule = "1s, 1s, 1s";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
        builder.UseSetting("Webhooks:AllowHttp", "true");
        builder.UseSetting("Webhooks:RetrySchedule", RetrySchedule);
        builder.UseSetting("Webhooks:Timeout", "00:00:01");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00.2");
    }
}

/// <summary>The API as deployed: https only, public addresses only.</summary>
public sealed class StrictWebhookApp : ClaimTrackerApp;

/// <summary>Calls the tests share: subscribe, create a claim, move its status.</summary>
public static class WebhookCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Subscription(Guid Id, string Secret);

    public static async Task<Subscription> SubscribeAsync(this HttpClient admin, string url, string[] events, object? filter = null)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events, filter }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new Subscription(body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    public static async Task<JsonElement> CreateClaimAsync(this HttpClient editor, string slug, string subject, string? statement = null)
    {
        using var response = await editor.PostAsJsonAsync("/api/v1/claims", new
        {
            slug, subject, kind = "assertion",
            statement = statement ?? $"Webhook test claim {slug} says something nobody else has said about {subject}.",
        }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>PUTs a status with the claim's current ETag (or <paramref name="etag"/>); returns the response.</summary>
    public static async Task<HttpResponseMessage> ChangeStatusAsync(this HttpClient editor, string slug, string status, EntityTagHeaderValue? etag = null)
    {
        if (etag is null)
        {
            using var read = await editor.GetAsync($"/api/v1/claims/{slug}", Ct);
            etag = read.Headers.ETag!;
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{slug}/status")
        {
            Content = JsonContent.Create(new { status, reason = "Checked by the desk." }),
        };
        request.Headers.IfMatch.Add(etag);
        return await editor.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> DeliveriesAsync(this HttpClient admin, Guid subscription)
    {
        using var response = await admin.GetAsync($"/api/v1/webhooks/{subscription}/deliveries", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items");
    }

    /// <summary>
    /// Waits until the status fan-out has passed every change committed so far (status changes reach the outbox after their
    /// commit); needs an enabled subscription to `claim.status_changed`, else the fan-out has nothing to do.
    /// </summary>
    public static async Task WaitForStatusFanOutAsync(this ClaimTrackerApp app)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        await using var db = app.CreateDbContext();
        while (!await db.Database.SqlQueryRaw<bool>(
                   "SELECT seq >= webhook_status_changes_head() AS \"Value\" FROM webhook_cursors WHERE name = 'claim.status_changed'").SingleAsync(Ct))
        {
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail("The status fan-out did not reach the chain's head within 15 s.");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Polls the deliveries list until <paramref name="done"/> holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> WaitForDeliveriesAsync(this HttpClient admin, Guid subscription, Func<JsonElement, bool> done,
        TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var items = await admin.DeliveriesAsync(subscription);
            if (done(items)) return items;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"Waited {timeout.TotalSeconds} s for {what}; deliveries: {items}");
            await Task.Delay(100, Ct);
        }
    }
}
