using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>With the settings as deployed (https only, public addresses only): internal receivers are refused when subscribed and when sent to.</summary>
public sealed class WebhookSsrfTests(StrictWebhookApp app) : IClassFixture<StrictWebhookApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("https://127.1.2.3:8443/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://172.16.0.1/hooks")]
    [InlineData("https://172.31.255.254/hooks")]
    [InlineData("https://192.168.1.10/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hooks")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("https://[::1]/hooks")]
    [InlineData("https://[::]/hooks")]
    [InlineData("https://[fc00::1]/hooks")]
    [InlineData("https://[fd12:3456::1]/hooks")]
    [InlineData("https://[fe80::1]/hooks")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks")]
    [InlineData("https://2130706433/hooks")] // 127.0.0.1 as one number
    [InlineData("https://localhost/hooks")]
    [InlineData("https://api.localhost/hooks")]
    [InlineData("http://newsroom.example/hooks")] // http is off
    public async Task AnInternalOrPlainHttpReceiverIsRefusedWhenSubscribed(string url)
    {
        using var admin = await app.CreateClientAsync(Role.Admin);

        using var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { "claim.created" } }, Ct);

        await Problems.AssertValidationProblemAsync(response, "url");
        await using var db = app.CreateDbContext();
        Assert.False(await db.WebhookSubscriptions.AnyAsync(s => s.Url.StartsWith(url), Ct));
    }

    [Theory]
    [InlineData("https://newsroom.example/hooks")]
    [InlineData("https://203.0.113.10/hooks")]
    [InlineData("https://172.32.0.1/hooks")] // just past 172.16/12
    [InlineData("https://100.128.0.1/hooks")] // just past 100.64/10
    public async Task APublicHttpsReceiverIsAccepted(string url)
    {
        using var admin = await app.CreateClientAsync(Role.Admin);

        using var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { "claim.created" } }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AHostThatResolvesToLoopbackIsRefusedAtDelivery()
    {
        // A receiver listening on loopback, reachable were the guard not there; the subscription stored as if its name had
        // resolved elsewhere when it was created (DNS can change): the guard checks the address at each connection.
        await using var receiver = await WebhookReceiver.StartAsync();
        Guid subscription;
        await using (var db = app.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            var row = new WebhookSubscription
            {
                Url = $"http://localhost:{receiver.Port}/hooks", Events = ["claim.created"], Secret = WebhookSignature.NewSecret(),
                CreatedAt = now, UpdatedAt = now,
            };
            db.WebhookSubscriptions.Add(row);
            await db.SaveChangesAsync(Ct);
            subscription = row.Id;
        }
        using var admin = await app.CreateClientAsync(Role.Admin);

        using var ping = await admin.PostAsync($"/api/v1/webhooks/{subscription}/ping", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);

        var items = await admin.WaitForDeliveriesAsync(subscription,
            i => i.EnumerateArray().Any(d => d.GetProperty("attempts").GetArrayLength() > 0), TimeSpan.FromSeconds(15), "the refused attempt");
        var attempt = items[0].GetProperty("attempts")[0];
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("not a public address", attempt.GetProperty("error").GetString());
        Assert.Empty(receiver.Received);
    }
}

/// <summary>The guard's address ranges and the retry schedule's syntax, without a host.</summary>
public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("203.0.113.10", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("9.255.255.255", true)]
    [InlineData("11.0.0.0", true)]
    [InlineData("10.0.0.0", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.16.0.0", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.0", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.64.0.0", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fdff::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("febf::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void OnlyPublicAddressesArePublic(string address, bool expected) =>
        Assert.Equal(expected, WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void TheRetryScheduleReadsDurationsWithUnits()
    {
        var options = new WebhookOptions { RetrySchedule = "500ms, 5s, 5m, 2h, 1d" };

        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromHours(2), TimeSpan.FromDays(1)],
            options.Retries);
        Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        Assert.Equal(9, new WebhookOptions().Retries.Count);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5 s")]
    [InlineData("5s; 5m")]
    [InlineData("soon")]
    public void ABadRetryScheduleIsNamedInTheError(string schedule)
    {
        var options = new WebhookOptions { RetrySchedule = schedule };

        var error = Assert.Single(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        Assert.StartsWith("Webhooks:RetrySchedule", error.ErrorMessage);
    }
}
