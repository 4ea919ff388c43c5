using System.Net;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>The API with 3 requests a minute per key and 2 per address without a key.</summary>
public sealed class TightLimitApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimiting:PermitsPerMinute", "3");
        builder.UseSetting("RateLimiting:AnonymousPermitsPerMinute", "2");
    }
}

/// <summary>The same tiny limits, switched off.</summary>
public sealed class RateLimitingOffApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("RateLimiting:PermitsPerMinute", "1");
        builder.UseSetting("RateLimiting:AnonymousPermitsPerMinute", "1");
    }
}

public sealed class RateLimitingTests(TightLimitApp app) : IClassFixture<TightLimitApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client with a key of its own: every test spends its own budget (the app's per-role keys are shared).</summary>
    private async Task<HttpClient> ClientWithNewKeyAsync(Role role = Role.Reader)
    {
        await using var db = app.CreateDbContext();
        var (key, secret) = ApiKeysApi.NewKey($"rate-{Guid.NewGuid():N}", role, DateTimeOffset.UtcNow);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(Ct);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthentication.HeaderName, secret);
        return client;
    }

    private static async Task<List<HttpStatusCode>> GetManyAsync(HttpClient client, string url, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(url, Ct);
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task RequestOverTheKeysLimitIs429WithRetryAfterAndAProblem()
    {
        using var client = await ClientWithNewKeyAsync();
        Assert.All(await GetManyAsync(client, "/api/v1/claims", 3), s => Assert.Equal(HttpStatusCode.OK, s));

        using var response = await client.GetAsync("/api/v1/claims", Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("Too many requests", problem.GetProperty("title").GetString());
        Assert.Contains("3 requests per minute per API key", problem.GetProperty("detail").GetString());
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task EachKeyHasItsOwnBudget()
    {
        using var spent = await ClientWithNewKeyAsync();
        using var other = await ClientWithNewKeyAsync();
        await GetManyAsync(spent, "/api/v1/claims", 3);
        using var limited = await spent.GetAsync("/api/v1/claims", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);

        using var response = await other.GetAsync("/api/v1/claims", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CallersWithoutAKeyShareTheAddressBudgetAndKeysAreNotCharged()
    {
        using var anonymous = app.CreateClient();
        using var keyed = await ClientWithNewKeyAsync();
        Assert.All(await GetManyAsync(anonymous, "/api/v1/claims", 2), s => Assert.Equal(HttpStatusCode.OK, s));

        using var limited = await anonymous.GetAsync("/api/v1/claims", Ct);
        using var withKey = await keyed.GetAsync("/api/v1/claims", Ct);

        var problem = await Problems.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("2 requests per minute per client address", problem.GetProperty("detail").GetString());
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task RejectedWriteChangesNothing()
    {
        using var editor = await ClientWithNewKeyAsync(Role.Editor);
        await GetManyAsync(editor, "/api/v1/claims", 3);

        using var response = await editor.PostAsync("/api/v1/entities",
            new StringContent("""{ "slug": "rate-limited", "name": "Rate limited", "kind": "organization" }""",
                System.Text.Encoding.UTF8, "application/json"), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
        await using var db = app.CreateDbContext();
        Assert.False(await db.Entities.AnyAsync(e => e.Slug == "rate-limited", Ct));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task HealthAndSwaggerAreNotLimited(string url)
    {
        using var anonymous = app.CreateClient();

        var statuses = await GetManyAsync(anonymous, url, 6);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}

public sealed class RateLimitingOffTests(RateLimitingOffApp app) : IClassFixture<RateLimitingOffApp>
{
    [Fact]
    public async Task DisabledLimitingLetsEveryRequestThrough()
    {
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);

        foreach (var client in new[] { anonymous, reader })
        {
            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync("/api/v1/claims", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
    }
}
