using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Sources;

public sealed class SourceListApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListItemsCarryTheSourceFieldsButNotTheContent()
    {
        var source = await app.AddSourceAsync(s =>
        {
            s.Kind = SourceKind.Ruling;
            s.Url = $"https://example.org/{Guid.NewGuid():N}";
            s.Publisher = "Tribunale di Milano";
            s.Author = "Sezione I";
            s.Language = "it";
            s.PublishedAt = new DateTimeOffset(2025, 1, 17, 0, 0, 0, TimeSpan.Zero);
            s.Reliability = SourceReliability.Credible;
            s.Content = "Il testo della sentenza.";
            s.ContentSha256 = Api.Sources.SourceFields.Sha256(s.Content);
        });

        var items = await WalkAsync("/api/v1/sources?limit=100");

        var item = Assert.Single(items, i => i.GetProperty("id").GetGuid() == source.Id);
        Assert.False(item.TryGetProperty("content", out _), "List items carry no content.");
        var listed = item.Deserialize<SourceListItem>(ClaimTrackerApp.Json)!;
        Assert.Equal(new SourceListItem(source.Id, SourceKind.Ruling, source.Title, source.Url, "Tribunale di Milano", "Sezione I",
            "it", source.PublishedAt, false, SourceReliability.Credible, source.ContentSha256, 1, source.CreatedAt, source.UpdatedAt), listed);
        Assert.Equal("ruling", item.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task SeededItalianArticleIsListedWithItsLanguage()
    {
        var page = await app.GetJsonAsync<Page<SourceListItem>>("/api/v1/sources?kind=article&language=it");

        var article = Assert.Single(page.Items, s => s.Id == StorySeed.ArticleId);
        Assert.Equal("ByteDance investe 12 miliardi di dollari in chip AI", article.Title);
        Assert.Equal(Api.Sources.SourceFields.Sha256(await StorySeed.ReadArticleAsync(Ct)), article.ContentSha256);
    }

    [Fact]
    public async Task WalkingAllPagesYieldsEverySourceExactlyOnceNewestFirst()
    {
        // Rows created at the same instant are told apart by id: the pager must neither skip nor repeat them.
        var sameInstant = DateTimeOffset.UtcNow.AddDays(-3);
        for (var i = 0; i < 5; i++) await app.AddSourceAsync(s => s.CreatedAt = s.UpdatedAt = sameInstant);

        var listed = (await WalkAsync("/api/v1/sources?limit=3")).Select(i => i.GetProperty("id").GetGuid()).ToList();

        await using var db = app.CreateDbContext();
        var expected = await db.Sources.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Select(s => s.Id).ToListAsync(Ct);
        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task LinkHeaderCarriesTheNextCursorAndKeepsTheFilters()
    {
        await app.AddSourceAsync(s => s.Kind = SourceKind.Filing);
        await app.AddSourceAsync(s => s.Kind = SourceKind.Filing);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/v1/sources?kind=filing&limit=1", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = (await response.Content.ReadFromJsonAsync<Page<SourceListItem>>(ClaimTrackerApp.Json, Ct))!;
        Assert.NotNull(page.NextCursor);
        var link = Assert.Single(response.Headers.GetValues("Link"));
        Assert.Contains("kind=filing", link);
        Assert.Contains($"cursor={Uri.EscapeDataString(page.NextCursor)}", link);
        Assert.EndsWith("; rel=\"next\"", link);
    }

    [Theory]
    [InlineData(SourceKind.Ruling)]
    [InlineData(SourceKind.Statement)]
    public async Task KindFilterReturnsOnlySourcesOfThatKind(SourceKind kind)
    {
        await app.AddSourceAsync(s => s.Kind = kind);

        var listed = await WalkAsync($"/api/v1/sources?limit=100&kind={EnumWords.ToWord(kind)}");

        await using var db = app.CreateDbContext();
        var expected = await db.Sources.Where(s => s.Kind == kind).Select(s => s.Id).ToListAsync(Ct);
        Assert.Equal(expected.Order(), listed.Select(i => i.GetProperty("id").GetGuid()).Order());
    }

    [Fact]
    public async Task LanguageFilterMatchesTheTagAndItsSubtagsCaseInsensitively()
    {
        var basque = await app.AddSourceAsync(s => s.Language = "eu");
        var spanishBasque = await app.AddSourceAsync(s => s.Language = "eu-ES");
        await app.AddSourceAsync(s => s.Language = "eus");

        var byTag = await WalkAsync("/api/v1/sources?language=eu");
        var bySubtag = await WalkAsync("/api/v1/sources?language=EU-es");

        Assert.Equal(new[] { basque.Id, spanishBasque.Id }.Order(), byTag.Select(i => i.GetProperty("id").GetGuid()).Order());
        Assert.Equal(spanishBasque.Id, Assert.Single(bySubtag).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnonymousFilterSeparatesUnnamedSourceReports(bool anonymous)
    {
        await app.AddSourceAsync(s => s.Anonymous = anonymous);

        var listed = await WalkAsync($"/api/v1/sources?limit=100&anonymous={anonymous.ToString().ToLowerInvariant()}");

        await using var db = app.CreateDbContext();
        var expected = await db.Sources.Where(s => s.Anonymous == anonymous).Select(s => s.Id).ToListAsync(Ct);
        Assert.NotEmpty(listed);
        Assert.All(listed, i => Assert.Equal(anonymous, i.GetProperty("anonymous").GetBoolean()));
        Assert.Equal(expected.Order(), listed.Select(i => i.GetProperty("id").GetGuid()).Order());
    }

    [Theory]
    [InlineData("kind=blog", "kind")]
    [InlineData("language=it_IT", "language")]
    [InlineData("anonymous=yes", "anonymous")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task InvalidListParameterIsRejectedNamingIt(string query, string parameter)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/sources?{query}", Ct);

        await Problems.AssertValidationProblemAsync(response, parameter);
    }

    [Fact]
    public async Task CursorOfAnotherListIsRejected()
    {
        var entities = await app.GetJsonAsync<Page<JsonElement>>("/api/v1/entities?limit=1");
        Assert.NotNull(entities.NextCursor);
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/sources?cursor={entities.NextCursor}", Ct);

        await Problems.AssertValidationProblemAsync(response, "cursor");
    }

    private async Task<List<JsonElement>> WalkAsync(string url)
    {
        var items = new List<JsonElement>();
        for (var next = url; next is not null;)
        {
            var page = await app.GetJsonAsync<Page<JsonElement>>(next);
            items.AddRange(page.Items);
            next = page.NextCursor is null ? null : $"{url}&cursor={Uri.EscapeDataString(page.NextCursor)}";
        }
        return items;
    }
}
