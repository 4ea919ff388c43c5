using System.Net;
using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.ClaimReview;

public sealed class ClaimReviewTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SeededDisputedBudgetIsRatedThreeDisputed()
    {
        var review = await GetReviewAsync("bytedance-ai-chips-budget-2025");

        await using var db = app.CreateDbContext();
        var claim = await db.Claims.SingleAsync(c => c.Slug == "bytedance-ai-chips-budget-2025", Ct);
        Assert.Equal("https://schema.org", review.GetProperty("@context").GetString());
        Assert.Equal("ClaimReview", review.GetProperty("@type").GetString());
        Assert.Equal(claim.Statement, review.GetProperty("claimReviewed").GetString());
        Assert.Equal(claim.StatusReason, review.GetProperty("reviewBody").GetString());
        AssertRating(review, 3, "Disputed");
        Assert.Equal(claim.StatusChangedAt!.Value.UtcDateTime.ToString("yyyy-MM-dd"), review.GetProperty("datePublished").GetString());
        // The claim page this API serves (HTML, outside /api/v1), where the JSON-LD is also embedded.
        Assert.Equal("/claims/bytedance-ai-chips-budget-2025", new Uri(review.GetProperty("url").GetString()!).AbsolutePath);
        var author = review.GetProperty("author");
        Assert.Equal("Organization", author.GetProperty("@type").GetString());
        Assert.Equal("ClaimTracker", author.GetProperty("name").GetString());
        var item = review.GetProperty("itemReviewed");
        Assert.Equal("Claim", item.GetProperty("@type").GetString());
        // Unattributed (anonymous reports): no author rather than a null one; the story's sources have no URLs.
        Assert.False(item.TryGetProperty("author", out _));
        Assert.Equal(0, item.GetProperty("appearance").GetArrayLength());
        Assert.False(item.TryGetProperty("firstAppearance", out _));
    }

    [Fact]
    public async Task ConfirmedClaimNamesItsClaimantAndTheUrlsWhereItAppeared()
    {
        const string slug = "bytedance-denies-anonymous-plan-report";
        await using (var db = app.CreateDbContext())
        {
            var claimId = await db.Claims.Where(c => c.Slug == slug).Select(c => c.Id).SingleAsync(Ct);
            AddAppearance(db, claimId, Stance.Reports, "https://news.example/later", new DateTimeOffset(2025, 1, 23, 9, 0, 0, TimeSpan.Zero));
            AddAppearance(db, claimId, Stance.Asserts, "https://news.example/first", new DateTimeOffset(2025, 1, 21, 18, 30, 0, TimeSpan.Zero));
            AddAppearance(db, claimId, Stance.Reports, "https://news.example/undated", null);
            // Evidence about the claim is not a place where it appears.
            AddAppearance(db, claimId, Stance.Disputes, "https://news.example/rebuttal", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
            await db.SaveChangesAsync(Ct);
        }

        var review = await GetReviewAsync(slug);

        AssertRating(review, 5, "True");
        var item = review.GetProperty("itemReviewed");
        var author = item.GetProperty("author");
        Assert.Equal("Organization", author.GetProperty("@type").GetString());
        Assert.Equal("ByteDance", author.GetProperty("name").GetString());
        Assert.Equal(["https://news.example/first", "https://news.example/later", "https://news.example/undated"],
            item.GetProperty("appearance").EnumerateArray().Select(a => a.GetProperty("url").GetString()));
        Assert.All(item.GetProperty("appearance").EnumerateArray(), a => Assert.Equal("CreativeWork", a.GetProperty("@type").GetString()));
        Assert.Equal("https://news.example/first", item.GetProperty("firstAppearance").GetProperty("url").GetString());
        Assert.Equal("2025-01-21", item.GetProperty("datePublished").GetString());
    }

    [Fact]
    public async Task APersonClaimantIsAPersonAndARetractionIsRatedOne()
    {
        var person = await app.AddEntityAsync("claimant-person", EntityKind.Person);
        var subject = await app.AddEntityAsync();
        var claim = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.ClaimantId = person.Id;
            c.Status = ClaimStatus.Retracted;
            c.StatusReason = "The author withdrew it.";
            c.StatusChangedAt = new DateTimeOffset(2025, 2, 3, 23, 59, 0, TimeSpan.Zero);
        }))[0];

        var review = await GetReviewAsync(claim.Id.ToString());

        AssertRating(review, 1, "Retracted");
        var author = review.GetProperty("itemReviewed").GetProperty("author");
        Assert.Equal("Person", author.GetProperty("@type").GetString());
        Assert.Equal(person.Name, author.GetProperty("name").GetString());
        Assert.Equal("2025-02-03", review.GetProperty("datePublished").GetString());
    }

    [Theory]
    [InlineData("beijing-presses-firms-to-buy-domestic-ai-chips", "in_review")]
    [InlineData("bytedance-no-comment-budget", "in_review")]
    public async Task AClaimNotReviewedYetIs409(string slug, string status)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/{slug}/claimreview", Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("/problems/not-reviewed", problem.GetProperty("type").GetString());
        Assert.Contains(status, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnUnverifiedClaimIs409AndAnUnknownOne404()
    {
        var claim = (await app.AddClaimsAsync(await app.AddEntityAsync(), 1))[0];
        using var client = app.CreateClient();

        using var unverified = await client.GetAsync($"/api/v1/claims/{claim.Slug}/claimreview", Ct);
        using var unknown = await client.GetAsync("/api/v1/claims/no-such-claim/claimreview", Ct);

        await Problems.AssertProblemAsync(unverified, HttpStatusCode.Conflict);
        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    private static void AddAppearance(ClaimTrackerDbContext db, Guid claimId, Stance stance, string url, DateTimeOffset? publishedAt)
    {
        var source = new Source { Kind = SourceKind.Article, Title = $"Article at {url}", Url = url, PublishedAt = publishedAt };
        db.Sources.Add(source);
        db.Appearances.Add(new Appearance
        {
            ClaimId = claimId, SourceId = source.Id, Stance = stance, CreatedAt = DateTimeOffset.UtcNow,
            Quote = new Quote { Exact = "not correct", Anchor = AnchorState.Unanchored },
        });
    }

    private async Task<JsonElement> GetReviewAsync(string idOrSlug)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/{idOrSlug}/claimreview", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    private static void AssertRating(JsonElement review, int value, string name)
    {
        var rating = review.GetProperty("reviewRating");
        Assert.Equal("Rating", rating.GetProperty("@type").GetString());
        Assert.Equal(value, rating.GetProperty("ratingValue").GetInt32());
        Assert.Equal(5, rating.GetProperty("bestRating").GetInt32());
        Assert.Equal(1, rating.GetProperty("worstRating").GetInt32());
        Assert.Equal(name, rating.GetProperty("alternateName").GetString());
    }
}

/// <summary>The API publishing ClaimReviews under a newsroom's own name and claim pages.</summary>
public sealed class NewsroomClaimReviewApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ClaimReview:PublisherName", "Il Giornale dei Fatti");
        builder.UseSetting("ClaimReview:PublisherUrl", "https://giornale.example");
        builder.UseSetting("ClaimReview:ClaimUrlTemplate", "https://giornale.example/verifiche/{slug}?id={id}");
    }
}

public sealed class ConfiguredClaimReviewTests(NewsroomClaimReviewApp app) : IClassFixture<NewsroomClaimReviewApp>
{
    [Fact]
    public async Task PublisherAndClaimPageComeFromConfiguration()
    {
        await using var db = app.CreateDbContext();
        var id = await db.Claims.Where(c => c.Slug == "tiktok-banned-in-us").Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken);
        var review = await app.GetJsonAsync<JsonElement>("/api/v1/claims/tiktok-banned-in-us/claimreview");

        Assert.Equal($"https://giornale.example/verifiche/tiktok-banned-in-us?id={id}", review.GetProperty("url").GetString());
        var author = review.GetProperty("author");
        Assert.Equal("Il Giornale dei Fatti", author.GetProperty("name").GetString());
        Assert.Equal("https://giornale.example", author.GetProperty("url").GetString());
    }
}
