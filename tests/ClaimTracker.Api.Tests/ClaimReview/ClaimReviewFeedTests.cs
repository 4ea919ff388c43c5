using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.ClaimReview;

public sealed class ClaimReviewFeedTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private const string FeedUrl = "/api/v1/claimreview/feed";
    private static readonly ClaimStatus[] Reviewed = [ClaimStatus.Confirmed, ClaimStatus.Disputed, ClaimStatus.Inconclusive, ClaimStatus.Refuted, ClaimStatus.Retracted];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheFeedHoldsEveryReviewedClaimsClaimReviewNewestChangeFirst()
    {
        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => Reviewed.Contains(c.Status))
            .OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id).Select(c => new { c.Slug, c.UpdatedAt }).ToListAsync(Ct);
        Assert.True(expected.Count >= 5, "the seeded story has reviewed claims");
        Assert.True(await db.Claims.AnyAsync(c => !Reviewed.Contains(c.Status), Ct), "and unreviewed ones, which the feed leaves out");

        using var client = app.CreateClient();
        using var response = await client.GetAsync($"{FeedUrl}?limit=100", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        var feed = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(("https://schema.org", "DataFeed"), (feed.GetProperty("@context").GetString(), feed.GetProperty("@type").GetString()));
        Assert.Equal(JsonValueKind.Null, feed.GetProperty("nextCursor").ValueKind);
        var elements = feed.GetProperty("dataFeedElement").EnumerateArray().ToList();
        Assert.Equal(expected.Select(c => c.Slug), elements.Select(e => SlugOf(e.GetProperty("item")[0])));
        Assert.Equal(expected[0].UpdatedAt, feed.GetProperty("dateModified").GetDateTimeOffset());
        foreach (var element in elements)
        {
            Assert.Equal("DataFeedItem", element.GetProperty("@type").GetString());
            var review = element.GetProperty("item")[0];
            // The same ClaimReview, to the byte, as the claim's own endpoint serves.
            var own = await client.GetStringAsync($"/api/v1/claims/{SlugOf(review)}/claimreview", Ct);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(own), JsonNode.Parse(review.GetRawText())), $"{SlugOf(review)}: {own} vs {review}");
        }
    }

    [Fact]
    public async Task PagesFollowTheCursorWithoutGapsOrRepeats()
    {
        using var client = app.CreateClient();
        var all = await SlugsAsync(client, $"{FeedUrl}?limit=100");
        var paged = new List<string>();
        var url = $"{FeedUrl}?limit=3";
        var pages = 0;
        while (url is not null)
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            paged.AddRange(page.GetProperty("dataFeedElement").EnumerateArray().Select(e => SlugOf(e.GetProperty("item")[0])));
            var next = page.GetProperty("nextCursor").GetString();
            Assert.Equal(next is not null, response.Headers.Contains("Link"));
            url = next is null ? null : $"{FeedUrl}?limit=3&cursor={Uri.EscapeDataString(next)}";
            pages++;
        }
        Assert.Equal(all, paged);
        Assert.Equal((all.Count + 2) / 3, pages);
    }

    [Fact]
    public async Task SinceKeepsTheClaimsChangedAfterItAndTheETagAnswers304UntilOneChanges()
    {
        using var client = app.CreateClient();
        await using var db = app.CreateDbContext();
        var newest = await db.Claims.MaxAsync(c => c.UpdatedAt, Ct);
        var since = Uri.EscapeDataString(newest.UtcDateTime.ToString("O"));
        var sinceUrl = $"{FeedUrl}?since={since}";
        Assert.Empty(await SlugsAsync(client, sinceUrl));
        using var first = await client.GetAsync(sinceUrl, Ct);
        var etag = first.Headers.ETag!;

        using (var again = new HttpRequestMessage(HttpMethod.Get, sinceUrl))
        {
            again.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        // A change to a reviewed claim (an appearance added, a status set) moves it to the top of the feed.
        var changed = await db.Claims.Where(c => Reviewed.Contains(c.Status)).OrderBy(c => c.UpdatedAt).Select(c => c.Slug).FirstAsync(Ct);
        await db.Claims.Where(c => c.Slug == changed).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, newest.AddSeconds(1)), Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, sinceUrl);
        request.Headers.IfNoneMatch.Add(etag);
        using var modified = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.NotEqual(etag, modified.Headers.ETag);
        Assert.Equal([changed], await SlugsAsync(client, sinceUrl));
        Assert.Equal(changed, (await SlugsAsync(client, FeedUrl))[0]);
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("since=yesterday", "since")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    public async Task ABadParameterIs400NamingIt(string query, string field)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"{FeedUrl}?{query}", Ct);

        await Problems.AssertValidationProblemAsync(response, field);
    }

    private static async Task<List<string>> SlugsAsync(HttpClient client, string url)
    {
        var feed = JsonDocument.Parse(await client.GetStringAsync(url, Ct)).RootElement;
        return [.. feed.GetProperty("dataFeedElement").EnumerateArray().Select(e => SlugOf(e.GetProperty("item")[0]))];
    }

    private static string SlugOf(JsonElement review) => review.GetProperty("url").GetString()!.Split('/')[^1];
}
