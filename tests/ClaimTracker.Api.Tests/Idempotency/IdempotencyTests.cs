using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Idempotency;

/// <summary>Idempotency-Key semantics, exercised on POST /api-keys (a POST that every build has).</summary>
public sealed class IdempotencyTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage CreateKey(string name, string? idempotencyKey, string role = "reader")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/api-keys") { Content = JsonContent.Create(new { name, role }) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private async Task<int> KeysNamedAsync(string name)
    {
        await using var db = app.CreateDbContext();
        return await db.ApiKeys.CountAsync(k => k.Name == name, Ct);
    }

    [Fact]
    public async Task RetryWithTheSameKeyAndBodyIsReplayedAndCreatesNothingMore()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("idem");
        var key = Guid.NewGuid().ToString();

        using var first = await admin.SendAsync(CreateKey(name, key), Ct);
        using var retry = await admin.SendAsync(CreateKey(name, key), Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await KeysNamedAsync(name));
    }

    [Fact]
    public async Task ReplayOfANewApiKeyNeverShowsTheKeyAgainNorStoresIt()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("secret");
        var key = Guid.NewGuid().ToString();

        using var first = await admin.SendAsync(CreateKey(name, key), Ct);
        var secret = (await first.Content.ReadFromJsonAsync<CreatedApiKeyResponse>(ClaimTrackerApp.Json, Ct))!.Key;
        using var retry = await admin.SendAsync(CreateKey(name, key), Ct);

        Assert.DoesNotContain(secret, await retry.Content.ReadAsStringAsync(Ct));
        await using var db = app.CreateDbContext();
        var record = await db.IdempotencyRecords.SingleAsync(r => r.Key == key, Ct);
        Assert.Null(record.Body);
    }

    [Fact]
    public async Task SameKeyWithAnotherBodyIs422AndCreatesNothing()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var (name, other) = (TestData.UniqueSlug("first"), TestData.UniqueSlug("second"));
        var key = Guid.NewGuid().ToString();
        using (await admin.SendAsync(CreateKey(name, key), Ct))
        {
        }

        using var response = await admin.SendAsync(CreateKey(other, key), Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/idempotency-key-reused", problem.GetProperty("type").GetString());
        Assert.Equal(0, await KeysNamedAsync(other));
    }

    [Fact]
    public async Task TwentyConcurrentIdenticalPostsWithOneKeyCreateOneRow()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("race");
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await admin.SendAsync(CreateKey(name, key), Ct);
            return (response.StatusCode, response.Headers.Location, RetryAfter: response.Headers.RetryAfter);
        }));

        Assert.Equal(1, await KeysNamedAsync(name));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"got {r.StatusCode}"));
        Assert.Single(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.Location).Distinct());
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.Conflict), r => Assert.NotNull(r.RetryAfter));
    }

    [Fact]
    public async Task KeysOfDifferentCallersDoNotCollide()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        using var secondAdmin = app.CreateClient();
        using (var created = await admin.SendAsync(CreateKey(TestData.UniqueSlug("admin2"), null, "admin"), Ct))
        {
            secondAdmin.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<CreatedApiKeyResponse>(ClaimTrackerApp.Json, Ct))!.Key);
        }
        var (name, other) = (TestData.UniqueSlug("mine"), TestData.UniqueSlug("theirs"));
        var key = Guid.NewGuid().ToString();

        using var mine = await admin.SendAsync(CreateKey(name, key), Ct);
        using var theirs = await secondAdmin.SendAsync(CreateKey(other, key), Ct);

        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await KeysNamedAsync(other));
    }

    [Fact]
    public async Task ExpiredKeyRunsTheRequestAgain()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("expired");
        var key = Guid.NewGuid().ToString();
        using (await admin.SendAsync(CreateKey(name, key), Ct))
        {
        }
        await using (var db = app.CreateDbContext())
        {
            await db.IdempotencyRecords.Where(r => r.Key == key)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, DateTimeOffset.UtcNow.AddHours(-1)), Ct);
        }

        using var again = await admin.SendAsync(CreateKey(name, key), Ct);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await KeysNamedAsync(name));
    }

    [Fact]
    public async Task RejectedFirstRequestIsReplayedToo()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var key = Guid.NewGuid().ToString();

        using var first = await admin.SendAsync(CreateKey("", key), Ct);
        using var retry = await admin.SendAsync(CreateKey("", key), Ct);

        await Problems.AssertValidationProblemAsync(first, "name");
        await Problems.AssertValidationProblemAsync(retry, "name");
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task OverlongKeyIs400()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("long");

        using var response = await admin.SendAsync(CreateKey(name, new string('k', 256)), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await KeysNamedAsync(name));
    }

    [Fact]
    public async Task WithoutAKeyEveryPostRuns()
    {
        using var admin = await app.CreateClientAsync(Role.Admin);
        var name = TestData.UniqueSlug("plain");

        using (await admin.SendAsync(CreateKey(name, null), Ct))
        using (await admin.SendAsync(CreateKey(name, null), Ct))
        {
        }

        Assert.Equal(2, await KeysNamedAsync(name));
    }
}
