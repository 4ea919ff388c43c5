using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Sources;

public sealed class SourceDetailApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DetailHasTheContentAndEachClaimWithItsAppearancesInDocumentOrder()
    {
        const string content = "Il ministero ha smentito. Secondo fonti anonime, la società prevede di investire. Il ministero tace.";
        var source = await app.AddSourceAsync(s => (s.Content, s.ContentSha256) = (content, Api.Sources.SourceFields.Sha256(content)));
        await using var db = app.CreateDbContext();
        var subject = new Entity { Slug = Slug("ministero"), Name = "Ministero", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        var later = NewClaim(subject, ClaimStatus.Disputed);
        var earlier = NewClaim(subject, ClaimStatus.Confirmed);
        db.AddRange(subject, later, earlier);
        db.Appearances.AddRange(
            Appear(later, source, Stance.Reports, content, "la società prevede di investire"),
            Appear(earlier, source, Stance.Asserts, content, "Il ministero tace"),
            Appear(earlier, source, Stance.Denies, content, "Il ministero ha smentito"));
        await db.SaveChangesAsync(Ct);

        var detail = await app.GetJsonAsync<SourceDetailResponse>($"/api/v1/sources/{source.Id}");

        Assert.Equal(content, detail.Content);
        Assert.Equal(source.ContentSha256, detail.ContentSha256);
        Assert.Equal(new[] { earlier.Id, later.Id }, detail.Claims.Select(c => c.Id));
        var first = detail.Claims[0];
        Assert.Equal((earlier.Slug, earlier.Statement, ClaimStatus.Confirmed), (first.Slug, first.Statement, first.Status));
        Assert.Equal(new[] { Stance.Denies, Stance.Asserts }, first.Appearances.Select(a => a.Stance));
        var denial = first.Appearances[0].Quote;
        Assert.Equal(new QuoteResponse("Il ministero ha smentito", "", ". Secondo fonti anonime, la soci", 0, 24, AnchorState.Anchored), denial);
        Assert.Equal(ClaimStatus.Disputed, detail.Claims[1].Status);
    }

    [Fact]
    public async Task SeededArticleDetailListsEveryClaimQuotedInItWithAnchoredQuotes()
    {
        var detail = await app.GetJsonAsync<SourceDetailResponse>($"/api/v1/sources/{StorySeed.ArticleId}");

        Assert.Equal(await StorySeed.ReadArticleAsync(Ct), detail.Content);
        Assert.Contains(detail.Claims, c => c.Slug == "bytedance-ai-chips-budget-2025");
        await using var db = app.CreateDbContext();
        var expected = await db.Appearances.Where(a => a.SourceId == StorySeed.ArticleId).Select(a => a.ClaimId).Distinct().ToListAsync(Ct);
        Assert.Equal(expected.Order(), detail.Claims.Select(c => c.Id).Order());
        Assert.All(detail.Claims.SelectMany(c => c.Appearances).Where(a => a.Quote.Anchor == AnchorState.Anchored),
            a => Assert.Equal(a.Quote.Exact, detail.Content![a.Quote.Start!.Value..a.Quote.End!.Value]));
    }

    [Fact]
    public async Task DetailETagGives304UntilTheSourceChanges()
    {
        var source = await app.AddSourceAsync();
        using var client = app.CreateClient();
        using var first = await client.GetAsync($"/api/v1/sources/{source.Id}", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        using var unchanged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sources/{source.Id}");
        unchanged.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(unchanged, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));

        await using (var db = app.CreateDbContext())
        {
            await db.Sources.Where(s => s.Id == source.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Title, "Retitled"), Ct);
        }
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sources/{source.Id}");
        stale.Headers.IfNoneMatch.Add(etag);
        using var changed = await client.SendAsync(stale, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal("Retitled", (await ReadAsync<SourceDetailResponse>(changed)).Title);
    }

    [Theory]
    [InlineData("0193f4c2-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task UnknownSourceReturns404Problem(string id)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/sources/{id}", Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Source not found", problem.GetProperty("title").GetString());
        Assert.Contains(id, problem.GetProperty("detail").GetString());
    }

    private static string Slug(string stem) => $"{stem}-{Guid.NewGuid():N}";

    private static Claim NewClaim(Entity subject, ClaimStatus status)
    {
        var now = DateTimeOffset.UtcNow;
        var slug = Slug("claim");
        return new Claim
        {
            Slug = slug, Statement = $"Statement of {slug}.", Kind = ClaimKind.Assertion, Subject = subject, Status = status,
            CreatedAt = now, UpdatedAt = now,
        };
    }

    private static Appearance Appear(Claim claim, Source source, Stance stance, string content, string exact)
    {
        var found = QuoteAnchoring.Locate(content, exact);
        var (prefix, suffix) = QuoteAnchoring.Context(content, found.Start, found.End);
        return new Appearance
        {
            Claim = claim, SourceId = source.Id, Stance = stance, CreatedAt = DateTimeOffset.UtcNow,
            Quote = new Quote { Exact = exact, Prefix = prefix, Suffix = suffix, Start = found.Start, End = found.End, Anchor = AnchorState.Anchored },
        };
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(ClaimTrackerApp.Json, Ct))!;
    }
}
