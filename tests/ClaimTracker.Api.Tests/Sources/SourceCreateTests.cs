using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Sources;

public sealed class SourceCreateTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewUrl() => $"https://www.reuters.com/technology/bytedance-ai-chips-{Guid.NewGuid():N}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(int Sources, int Revisions)> CountsAsync()
    {
        await using var db = app.CreateDbContext();
        return (await db.Sources.CountAsync(Ct), await db.SourceRevisions.CountAsync(Ct));
    }

    [Fact]
    public async Task EditorCreatesASourceWithContentStoredAsRevisionOneWithItsHash()
    {
        const string content = "ByteDance plans to spend about $12 billion on AI chips in 2025, sources said. ByteDance said this was “not correct”.";
        var url = NewUrl();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsJsonAsync("/api/v1/sources", new
        {
            kind = "report", title = "  ByteDance plans $12 billion AI chip spending in 2025  ", url, publisher = "Reuters",
            author = "Staff", language = "EN-us", publishedAt = "2025-01-22T10:30:00+01:00", anonymous = true,
            reliability = "credible", content,
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<SourceDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal($"/api/v1/sources/{body.Id}", response.Headers.Location?.OriginalString);
        var expectedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        Assert.Equal(
            (SourceKind.Report, "ByteDance plans $12 billion AI chip spending in 2025", url, "Reuters", "Staff", "en-US"),
            (body.Kind, body.Title, body.Url, body.Publisher, body.Author, body.Language));
        Assert.Equal(new DateTimeOffset(2025, 1, 22, 9, 30, 0, TimeSpan.Zero), body.PublishedAt);
        Assert.Equal((true, SourceReliability.Credible, content, expectedHash, 1), (body.Anonymous, body.Reliability, body.Content, body.ContentSha256, body.Revision));
        Assert.Empty(body.Claims);
        Assert.Equal(body.CreatedAt, body.UpdatedAt);

        using var reader = app.CreateClient();
        using var get = await reader.GetAsync(response.Headers.Location, Ct);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(get.Headers.ETag, response.Headers.ETag);
        Assert.Equal(await response.Content.ReadAsStringAsync(Ct), await get.Content.ReadAsStringAsync(Ct));

        await using var db = app.CreateDbContext();
        var stored = await db.Sources.AsNoTracking().Include(s => s.Revisions).SingleAsync(s => s.Id == body.Id, Ct);
        Assert.Equal((content, expectedHash, 1), (stored.Content, stored.ContentSha256, stored.Revision));
        var revision = Assert.Single(stored.Revisions);
        Assert.Equal((1, content, expectedHash, stored.CreatedAt), (revision.Revision, revision.Content, revision.ContentSha256, revision.CreatedAt));
    }

    [Fact]
    public async Task SourceWithOnlyKindAndTitleIsNamedUnratedAndHasNoContentOrHash()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsync("/api/v1/sources", Json("""{ "kind": "statement", "title": "ByteDance statement" }"""), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<SourceDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((false, SourceReliability.Unrated, (string?)null, (string?)null, (string?)null, 1),
            (body.Anonymous, body.Reliability, body.Url, body.Content, body.ContentSha256, body.Revision));
        await using var db = app.CreateDbContext();
        var revision = await db.SourceRevisions.SingleAsync(r => r.SourceId == body.Id, Ct);
        Assert.Equal((1, (string?)null, (string?)null), (revision.Revision, revision.Content, revision.ContentSha256));
    }

    [Fact]
    public async Task TakenUrlIs409AndAddsNothing()
    {
        var url = NewUrl();
        using var editor = await app.CreateClientAsync(Role.Editor);
        Guid first;
        using (var created = await editor.PostAsJsonAsync("/api/v1/sources", new { kind = "report", title = "First", url }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            first = (await created.Content.ReadFromJsonAsync<SourceDetailResponse>(ClaimTrackerApp.Json, Ct))!.Id;
        }
        var before = await CountsAsync();

        using var response = await editor.PostAsJsonAsync("/api/v1/sources", new { kind = "article", title = "Second", url, content = "Text." }, Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("/problems/url-taken", problem.GetProperty("type").GetString());
        Assert.Contains(first.ToString(), problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountsAsync());
        await using var db = app.CreateDbContext();
        Assert.Equal("First", (await db.Sources.SingleAsync(s => s.Url == url, Ct)).Title);
    }

    [Fact]
    public async Task OfTenConcurrentCreatesWithOneUrlExactlyOneSucceedsAndTheRestAre409()
    {
        var url = NewUrl();
        using var editor = await app.CreateClientAsync(Role.Editor);
        var before = await CountsAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await editor.PostAsJsonAsync("/api/v1/sources", new { kind = "report", title = $"Writer {i}", url }, Ct);
            if (response.StatusCode == HttpStatusCode.Conflict) await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
            return response.StatusCode;
        }));

        Assert.Equal(1, responses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal((before.Sources + 1, before.Revisions + 1), await CountsAsync());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{ "title": "No kind" }""", "kind" },
        { """{ "kind": "blog", "title": "Unknown kind" }""", "kind" },
        { """{ "kind": "report" }""", "title" },
        { """{ "kind": "report", "title": "   " }""", "title" },
        { $$"""{ "kind": "report", "title": "{{new string('t', 501)}}" }""", "title" },
        { """{ "kind": "report", "title": "T", "url": "www.reuters.com/technology" }""", "url" },
        { """{ "kind": "report", "title": "T", "url": "ftp://reuters.com/report" }""", "url" },
        { """{ "kind": "report", "title": "T", "url": "https://reuters.com/a report" }""", "url" },
        { $$"""{ "kind": "report", "title": "T", "url": "https://reuters.com/{{new string('u', 2048)}}" }""", "url" },
        { """{ "kind": "report", "title": "T", "publisher": "" }""", "publisher" },
        { $$"""{ "kind": "report", "title": "T", "publisher": "{{new string('p', 201)}}" }""", "publisher" },
        { $$"""{ "kind": "report", "title": "T", "author": "{{new string('a', 201)}}" }""", "author" },
        { """{ "kind": "report", "title": "T", "language": "italiano!" }""", "language" },
        { """{ "kind": "report", "title": "T", "language": "e" }""", "language" },
        { """{ "kind": "report", "title": "T", "language": "en-verylongsubtag" }""", "language" },
        { """{ "kind": "report", "title": "T", "publishedAt": "yesterday" }""", "publishedAt" },
        { """{ "kind": "report", "title": "T", "anonymous": "yes" }""", "anonymous" },
        { """{ "kind": "report", "title": "T", "reliability": "trustworthy" }""", "reliability" },
        { """{ "kind": "report", "title": "T", "content": "" }""", "content" },
        { """{ "kind": "report", "title": "T", "revision": 7 }""", "revision" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidBodyIs400NamingTheFieldAndAddsNothing(string json, string field)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var before = await CountsAsync();

        using var response = await editor.PostAsync("/api/v1/sources", Json(json), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task ContentOverTheLimitIs400AndAddsNothing()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var before = await CountsAsync();

        using var response = await editor.PostAsJsonAsync("/api/v1/sources",
            new { kind = "article", title = "Too long", content = new string('x', 500_001) }, Ct);

        await Problems.AssertValidationProblemAsync(response, "content");
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task BodyOverOneMebibyteIs413AndAddsNothing()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var before = await CountsAsync();

        using var response = await editor.PostAsJsonAsync("/api/v1/sources",
            new { kind = "article", title = "Far too long", content = new string('x', 1_100_000) }, Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingIsAdded()
    {
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);
        var before = await CountsAsync();

        using var unauthorized = await anonymous.PostAsJsonAsync("/api/v1/sources", new { kind = "report", title = "T" }, Ct);
        using var forbidden = await reader.PostAsJsonAsync("/api/v1/sources", new { kind = "report", title = "T" }, Ct);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", unauthorized.Headers.WwwAuthenticate.ToString());
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Equal(before, await CountsAsync());
    }
}
