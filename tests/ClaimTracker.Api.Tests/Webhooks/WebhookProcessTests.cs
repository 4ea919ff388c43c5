using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Tests.Infrastructure;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Webhooks;

/// <summary>
/// The outbox across real processes on one database: an instance killed (SIGKILL) with deliveries in flight loses none
/// once one runs again, nor the status changes committed while none ran; two instances deliver each event once per subscription.
/// </summary>
public sealed class WebhookProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string AdminKey = "webhook-process-tests-admin-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    private static ApiProcess StartApi(string connectionString) => ApiProcess.Start(new Dictionary<string, string>
    {
        ["ConnectionStrings__ClaimTracker"] = connectionString,
        ["Auth__BootstrapAdminKey"] = AdminKey,
        ["RateLimiting__Enabled"] = "false",
        ["Webhooks__AllowPrivateNetworks"] = "true",
        ["Webhooks__AllowHttp"] = "true",
        ["Webhooks__RetrySchedule"] = "1s, 1s, 1s, 1s, 1s",
        ["Webhooks__Timeout"] = "00:00:01",
        ["Webhooks__PollInterval"] = "00:00:00.2",
    });

    private static async Task<HttpClient> ClientAsync(ApiProcess api)
    {
        var client = new HttpClient { BaseAddress = await api.ListeningAsync(TimeSpan.FromSeconds(60), Ct) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    private static ClaimTrackerDbContext Db(string connectionString) => ClaimTrackerApp.CreateDbContext(connectionString);

    private static async Task<List<Guid>> CreateClaimsAsync(HttpClient[] clients, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var claim = await clients[i % clients.Length].CreateClaimAsync(TestData.UniqueSlug("process"), "bytedance",
                $"Claim {Guid.NewGuid():N} {Guid.NewGuid():N} {Guid.NewGuid():N}.");
            ids.Add(claim.GetProperty("id").GetGuid());
        }
        return ids;
    }

    /// <summary>Waits until every delivery of the subscription is delivered; returns them with their attempt counts.</summary>
    private static async Task<List<(Guid EventId, int Attempts)>> WaitAllDeliveredAsync(string connectionString, Guid subscription, int expected)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            await using var db = Db(connectionString);
            var rows = await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscription)
                .Select(d => new { d.EventId, d.State, Attempts = d.Attempts.Count }).ToListAsync(Ct);
            if (rows.Count == expected && rows.All(r => r.State == DeliveryState.Delivered)) return [.. rows.Select(r => (r.EventId, r.Attempts))];
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Not all delivered after {Patience.TotalSeconds} s: {string.Join(", ", rows.Select(r => $"{r.State}/{r.Attempts}"))}");
            }
            await Task.Delay(200, Ct);
        }
    }

    [Fact]
    public async Task AnInstanceKilledWithDeliveriesInFlightLosesNoneOnceOneRunsAgain()
    {
        var database = await PostgresServer.Current.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        // Slow enough that the first instance is killed while every send waits for its answer.
        receiver.Reply = (_, _) => new ReceiverReply(200, Delay: TimeSpan.FromMilliseconds(700));
        Guid subscription;
        await using (var first = StartApi(database))
        {
            using var client = await ClientAsync(first);
            subscription = (await client.SubscribeAsync(receiver.Url, ["claim.created"])).Id;
            await CreateClaimsAsync([client], 5);
            await receiver.WaitForAsync(r => r.Count >= 1, Patience, "the first send");
        } // SIGKILL: no shutdown, nothing recorded for the sends in flight

        await using (var db = Db(database))
        {
            Assert.True(await db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == subscription && d.State == DeliveryState.Pending, Ct) > 0,
                "the kill should leave deliveries pending");
        }
        receiver.Reply = (_, _) => new ReceiverReply(200);
        await using var second = StartApi(database);
        using (await ClientAsync(second))
        {
            var delivered = await WaitAllDeliveredAsync(database, subscription, 5);

            // At least once: every event reached the receiver, under its one webhook-id.
            Assert.Equal(delivered.Select(d => d.EventId.ToString()).Order(), receiver.Received.Select(r => r.Id).Distinct().Order());
        }
    }

    [Fact]
    public async Task StatusChangesCommittedWhileNoInstanceRunsAreDeliveredOnceOneStarts()
    {
        var database = await PostgresServer.Current.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        Guid subscription;
        List<Guid> claims;
        await using (var first = StartApi(database))
        {
            using var client = await ClientAsync(first);
            subscription = (await client.SubscribeAsync(receiver.Url, ["claim.status_changed"])).Id;
            claims = await CreateClaimsAsync([client], 5);
        } // SIGKILL

        // Appended to the chain with no API running (as a killed instance's last commits): only the chain holds them.
        await using (var db = Db(database))
        {
            foreach (var claim in claims)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(Ct);
                var move = new StatusMove(ClaimStatus.Unverified, ClaimStatus.InReview, "Checked while the API was down.", [], [], "desk",
                    DateTimeOffset.UtcNow);
                Assert.NotNull(await StatusHistory.WriteAsync(db, claim, null, move, Ct));
                await transaction.CommitAsync(Ct);
            }
        }
        Assert.Empty(receiver.Received);

        await using var second = StartApi(database);
        using (await ClientAsync(second))
        {
            var delivered = await WaitAllDeliveredAsync(database, subscription, 5);
            Assert.Equal(delivered.Select(d => d.EventId.ToString()).Order(), receiver.Received.Select(r => r.Id).Order());
            Assert.Equal(claims.Order(), receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("claimId").GetGuid()).Order());
        }
    }

    [Fact]
    public async Task TwoInstancesDeliverEachEventOncePerSubscription()
    {
        var database = await PostgresServer.Current.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var one = StartApi(database);
        await using var two = StartApi(database);
        using var clientOne = await ClientAsync(one);
        using var clientTwo = await ClientAsync(two);
        string[] events = ["claim.created", "claim.status_changed"];
        var first = await clientOne.SubscribeAsync(receiver.Url, events);
        var second = await clientTwo.SubscribeAsync(receiver.Url, events);

        var claims = await CreateClaimsAsync([clientOne, clientTwo], 20);
        // Status changes through both instances at once: both fan the chain out, each change is queued once.
        await Parallel.ForEachAsync(claims.Select((id, i) => (id, client: i % 2 == 0 ? clientOne : clientTwo)), Ct, async (c, _) =>
        {
            using var moved = await c.client.ChangeStatusAsync(c.id.ToString(), "in_review");
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        });

        var deliveredFirst = await WaitAllDeliveredAsync(database, first.Id, 40);
        var deliveredSecond = await WaitAllDeliveredAsync(database, second.Id, 40);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // a duplicate send would have arrived by now
        Assert.All(deliveredFirst.Concat(deliveredSecond), d => Assert.Equal(1, d.Attempts));
        // 40 events, each once to each subscription: 80 requests, each event id exactly twice, each signed for its subscription.
        Assert.Equal(80, receiver.Received.Count);
        Assert.All(receiver.Received.GroupBy(r => r.Id), g => Assert.Equal(2, g.Count()));
        Assert.All(receiver.Received.GroupBy(r => r.Id), g =>
        {
            var requests = g.ToList();
            Assert.Single(requests, r => Verifies(r, first.Secret));
            Assert.Single(requests, r => Verifies(r, second.Secret));
        });
    }

    private static bool Verifies(ReceivedWebhook request, string secret)
    {
        try
        {
            request.Verify(secret);
            return true;
        }
        catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
        {
            return false;
        }
    }
}
