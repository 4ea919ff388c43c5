using System.Net;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// How deliveries meet receivers that fail, hang, are gone, throttle or are down; redelivery; signatures across a
/// rotation. Each test pings its own subscription (a ping is delivered like any event); the schedule is `1s, 1s, 1s`.
/// </summary>
public sealed class WebhookRetriesTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static async Task<Guid> PingAsync(HttpClient admin, Guid subscription)
    {
        using var ping = await admin.PostAsync($"/api/v1/webhooks/{subscription}/ping", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonElement>(ping.Content, Ct)).GetProperty("deliveryId").GetGuid();
    }

    private static Func<JsonElement, bool> Settled(Guid delivery, string state) => items =>
        items.EnumerateArray().Any(d => d.GetProperty("id").GetGuid() == delivery && d.GetProperty("state").GetString() == state);

    private static JsonElement[] Attempts(JsonElement items, Guid delivery) =>
        [.. items.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == delivery).GetProperty("attempts").EnumerateArray()];

    [Fact]
    public async Task AFailingReceiverIsRetriedWithTheSameWebhookIdUntilItRecovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = (_, n) => new ReceiverReply(n < 3 ? 500 : 200);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "the third attempt to succeed");
        Assert.Equal([500, 500, 200], Attempts(items, delivery).Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal(3, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
        Assert.All(receiver.Received, r => r.Verify(hook.Secret));
        Assert.Equal("webhook.ping", receiver.Received[0].Type);
        // The schedule's delay separates the attempts.
        Assert.True(receiver.Received[1].At - receiver.Received[0].At >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task AfterTheLastRetryTheDeliveryIsFailedAndNothingMoreIsSent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = (_, _) => new ReceiverReply(500);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "failed"), Patience, "the delivery to fail");
        var attempts = Attempts(items, delivery);
        Assert.Equal(4, attempts.Length); // the first try and three retries
        Assert.All(attempts, a => Assert.Contains("500", a.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("nextAttemptAt").ValueKind);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task AReceiverThatDoesNotAnswerInTimeIsRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = (_, n) => new ReceiverReply(200, Delay: n == 1 ? TimeSpan.FromSeconds(3) : TimeSpan.Zero);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "the retry after a timeout");
        var attempts = Attempts(items, delivery);
        Assert.Equal(2, attempts.Length);
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("statusCode").ValueKind);
        Assert.Contains("No response within 1 s", attempts[0].GetProperty("error").GetString());
        Assert.InRange(attempts[0].GetProperty("durationMs").GetInt32(), 900, 2900);
        Assert.Equal(200, attempts[1].GetProperty("statusCode").GetInt32());
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task A410DisablesTheSubscriptionAndLaterEventsAreNotQueued()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = (_, _) => new ReceiverReply(410);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var subject = await app.AddEntityAsync("gone");
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"], new { subject = subject.Slug });

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "failed"), Patience, "the 410 to fail the delivery");
        Assert.Single(Attempts(items, delivery));
        var read = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement>(admin, $"/api/v1/webhooks/{hook.Id}", Ct);
        Assert.False(read.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", read.GetProperty("disabledReason").GetString());
        await admin.CreateClaimAsync(TestData.UniqueSlug("gone"), subject.Slug, $"Claim {Guid.NewGuid():N} {Guid.NewGuid():N}.");
        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == hook.Id, Ct));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A429IsRetriedAfterItsRetryAfterRatherThanTheSchedule()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = (_, n) => n == 1 ? new ReceiverReply(429, RetryAfter: "3") : new ReceiverReply(200);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "the retry after Retry-After");
        Assert.Equal(2, receiver.Received.Count);
        // Read from the delivery log, as the worker recorded them: the first attempt must have read the 429 (a first attempt
        // that timed out — these tests send with a 1 s timeout — is retried on the schedule, and says so here).
        var attempts = Attempts(items, delivery);
        Assert.Equal("429", attempts[0].GetProperty("statusCode").ToString());
        Assert.Equal("200", attempts[1].GetProperty("statusCode").ToString());
        // The schedule says 1 s; the receiver asked for 3.
        var waited = attempts[1].GetProperty("attemptedAt").GetDateTimeOffset() - attempts[0].GetProperty("attemptedAt").GetDateTimeOffset();
        Assert.True(waited >= TimeSpan.FromSeconds(2.8), $"retried after {waited.TotalSeconds} s");
    }

    [Fact]
    public async Task ARedirectIsNotFollowedButCountsAsAFailure()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        // A 307 keeps the POST: followed, it would reach the other receiver.
        receiver.Reply = (_, n) => n == 1 ? new ReceiverReply(307, Location: elsewhere.Url) : new ReceiverReply(200);
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);

        var items = await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "the retry after a redirect");
        var attempts = Attempts(items, delivery);
        Assert.Equal([307, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Contains("Redirect (307) not followed", attempts[0].GetProperty("error").GetString());
        Assert.Equal(2, receiver.Received.Count);
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public async Task AReceiverThatIsDownGetsTheEventOnceItIsUp()
    {
        var port = LoopbackPorts.Free();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync($"http://127.0.0.1:{port}/hooks", ["claim.created"]);

        var delivery = await PingAsync(admin, hook.Id);
        var items = await admin.WaitForDeliveriesAsync(hook.Id, i => Attempts(i, delivery).Length >= 1, Patience, "a refused connection");
        Assert.Equal(JsonValueKind.Null, Attempts(items, delivery)[0].GetProperty("statusCode").ValueKind);
        await using var receiver = await WebhookReceiver.StartAsync(port);

        await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "delivery once the receiver is up");
        Assert.Single(receiver.Received).Verify(hook.Secret);
    }

    [Fact]
    public async Task RedeliverSendsADeliveredEventAgainWithTheSameWebhookId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);
        var delivery = await PingAsync(admin, hook.Id);
        await admin.WaitForDeliveriesAsync(hook.Id, Settled(delivery, "delivered"), Patience, "the first delivery");

        using var redeliver = await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/deliveries/{delivery}/redeliver", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var received = await receiver.WaitForAsync(r => r.Count >= 2, Patience, "the redelivery");
        Assert.Equal(received[0].Id, received[1].Id);
        received[1].Verify(hook.Secret);
        var items = await admin.WaitForDeliveriesAsync(hook.Id, i => Attempts(i, delivery).Length == 2 && Settled(delivery, "delivered")(i),
            Patience, "the second attempt recorded");
        Assert.All(Attempts(items, delivery), a => Assert.Equal(204, a.GetProperty("statusCode").GetInt32()));
    }

    [Fact]
    public async Task AfterARotationBothSecretsSignEachRequest()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.CreateClientAsync(Role.Admin);
        var hook = await admin.SubscribeAsync(receiver.Url, ["claim.created"]);
        using var rotate = await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/rotate-secret", null, Ct);
        var secret = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonElement>(rotate.Content, Ct))
            .GetProperty("secret").GetString()!;

        await PingAsync(admin, hook.Id);

        var request = Assert.Single(await receiver.WaitForAsync(r => r.Count >= 1, Patience, "the ping"));
        var signatures = request.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        // Each signature alone, so that the verifier cannot pass one on the strength of the other.
        Alone(request, signatures[0]).Verify(secret);
        Alone(request, signatures[1]).Verify(hook.Secret);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => Alone(request, signatures[0]).Verify(hook.Secret));
    }

    private static ReceivedWebhook Alone(ReceivedWebhook request, string signature)
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value));
        headers["webhook-signature"] = new StringValues(signature);
        return request with { Headers = headers };
    }
}
