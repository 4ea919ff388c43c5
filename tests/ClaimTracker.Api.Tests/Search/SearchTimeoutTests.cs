using System.Net;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Search;

/// <summary>
/// The API with a search statement timeout of 1 ms over 5,000 more claims about chips: ranking them all takes PostgreSQL
/// several milliseconds, so a search for "chips" is cancelled by the database itself, as a runaway search would be.
/// </summary>
public sealed class LargeCatalogApp : ClaimTrackerApp
{
    public const int ExtraClaims = 5000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Search:StatementTimeoutMs", "1");
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = CreateDbContext();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO claims (id, slug, statement, kind, subject_id, tags, status, created_at, updated_at)
            SELECT gen_random_uuid(), 'bulk-chips-' || g, 'Bulk claim ' || g || ' about AI chips: chip budgets, chip exports, chip plants.',
                   'assertion', (SELECT id FROM entities WHERE slug = 'bytedance'), ARRAY[]::text[], 'unverified', now(), now()
            FROM generate_series(1, {ExtraClaims}) AS g;
            ANALYZE claims;
            """);
    }
}

public sealed class SearchTimeoutTests(LargeCatalogApp app) : IClassFixture<LargeCatalogApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/v1/claims?q=chips&sort=relevance")]
    [InlineData("/api/v1/claims?q=chips")]
    [InlineData("/api/v1/entities/bytedance/claims?q=chips&sort=relevance")]
    public async Task ASearchStoppedByTheStatementTimeoutIs422AskingToNarrowIt(string url)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(url, Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(ProblemTypes.SearchTooBroad, problem.GetProperty("type").GetString());
        Assert.Equal("Search too broad", problem.GetProperty("title").GetString());
        Assert.Contains("stopped after 1 ms", problem.GetProperty("detail").GetString());
        Assert.Contains("Narrow it", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("57014", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task AfterATimedOutSearchListsWithoutQAreNotBoundByIt()
    {
        using var client = app.CreateClient();
        using var timedOut = await client.GetAsync("/api/v1/claims?q=chips&sort=relevance", Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, timedOut.StatusCode);

        // The cancelled search's transaction ended with it: the pooled connection and context serve the next requests.
        for (var i = 0; i < 3; i++)
        {
            var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?subject=bytedance&limit=100");
            Assert.Equal(100, page.Items.Count);
        }
    }
}
