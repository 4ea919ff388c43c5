using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Search;

/// <summary>`q` and `sort=relevance` on the claim lists, against the seeded story and claims of each test's own.</summary>
public sealed class SearchTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string TikTokLaw = "us-law-tiktok-sell-or-ban";
    private const string TikTokBanned = "tiktok-banned-in-us";
    private const string TikTokRestored = "tiktok-restored-after-trump-order";
    private const string Budget = "bytedance-ai-chips-budget-2025";
    private const string Domestic = "bytedance-ai-chips-domestic-2025";
    private const string Abroad = "bytedance-ai-chips-abroad-2025";

    private async Task<Page<ClaimResponse>> SearchAsync(string q, string more = "") =>
        await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?q={Uri.EscapeDataString(q)}&limit=100{more}");

    private async Task<List<string>> SlugsAsync(string q, string more = "") =>
        (await SearchAsync(q, more)).Items.Select(c => c.Slug).ToList();

    [Theory]
    [InlineData("divieto", new[] { TikTokLaw, TikTokBanned, TikTokRestored })] // "divieto" and "vietare" in the quotes
    [InlineData("miliardi", new[] { Budget, Domestic, Abroad })]
    public async Task ItalianWordsFindTheClaimsWhoseQuotesUseThem(string q, string[] expected)
    {
        Assert.Equal(expected.Order(), (await SlugsAsync(q)).Order());
    }

    [Fact]
    public async Task EnglishWordsFindTheClaimsWhoseStatementsUseThemInAnyForm()
    {
        // The app-store claim has no "ban" in its text: its tag tiktok-ban is part of the document.
        Assert.Equal(new[] { TikTokLaw, TikTokBanned, TikTokRestored, "app-store-not-restored-tiktok" }.Order(), (await SlugsAsync("ban")).Order());

        await using var db = app.CreateDbContext();
        var aboutChips = await db.Claims.Where(c => EF.Functions.ILike(c.Statement, "%chip%")).Select(c => c.Slug).ToListAsync(Ct);
        var found = await SlugsAsync("chips");
        Assert.True(aboutChips.Count >= 8, "the story has many claims about chips");
        Assert.All(aboutChips, slug => Assert.Contains(slug, found)); // "chip", "chips" and "AI-chip" alike
    }

    [Theory]
    [InlineData("Cambricon", new[] { Domestic })]                     // a name in the article's quotes
    [InlineData("Corte Suprema", new[] { TikTokLaw, TikTokBanned })]  // the Italian alias of the US Supreme Court
    public async Task NamesAndAliasesFindTheirClaims(string q, string[] expected)
    {
        Assert.Equal(expected.Order(), (await SlugsAsync(q)).Order());
    }

    [Fact]
    public async Task AnAliasInChineseFindsEveryClaimAboutOrByItsEntity()
    {
        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.Subject.Slug == "bytedance" || c.Claimant!.Slug == "bytedance")
            .Select(c => c.Slug).ToListAsync(Ct);

        Assert.True(expected.Count >= 10);
        Assert.Equal(expected.Order(), (await SlugsAsync("字节跳动")).Order());
    }

    [Fact]
    public async Task AQuotedPhraseMatchesItsWordsInThatOrderOnly()
    {
        Assert.Equal(new[] { TikTokLaw, TikTokBanned }.Order(), (await SlugsAsync("\"Corte Suprema\"")).Order());
        Assert.Empty(await SlugsAsync("\"Suprema Corte\""));
        Assert.Equal(new[] { TikTokLaw, TikTokBanned }.Order(), (await SlugsAsync("Suprema Corte")).Order()); // words: any order
    }

    [Theory]
    [InlineData("cambricon or trump")]
    [InlineData("Cambricon OR Trump")]
    public async Task OrFindsClaimsMatchingEitherSide(string q)
    {
        Assert.Equal(new[] { Domestic, TikTokRestored }.Order(), (await SlugsAsync(q)).Order());
    }

    [Fact]
    public async Task AnExcludedWordDropsEveryClaimThatUsesItInAnyLanguage()
    {
        var all = await SlugsAsync("bytedance");
        var found = await SearchAsync("bytedance -nvidia");

        // The H100 claim names Nvidia only in its English statement; its Italian quotes do not, and it must go too.
        Assert.Contains("bytedance-evaded-sanctions-nvidia-sea", all);
        Assert.Contains("bytedance-no-h100-outside-us", all);
        var slugs = found.Items.Select(c => c.Slug).ToList();
        Assert.DoesNotContain("bytedance-evaded-sanctions-nvidia-sea", slugs);
        Assert.DoesNotContain("bytedance-no-h100-outside-us", slugs);
        Assert.Contains(Budget, slugs);
        await using var db = app.CreateDbContext();
        var namingNvidia = await db.Database
            .SqlQuery<string>($"SELECT slug AS \"Value\" FROM claims WHERE statement ILIKE '%nvidia%' OR search_quotes ILIKE '%nvidia%'")
            .ToListAsync(Ct);
        Assert.Equal(all.Except(namingNvidia).Order(), slugs.Order());
    }

    [Fact]
    public async Task SearchCombinesWithTheOtherFiltersOnEveryClaimList()
    {
        var subject = await app.AddEntityAsync("searched");
        var other = await app.AddEntityAsync("other");
        var mine = await app.AddClaimsAsync(subject, 4, (i, c) =>
        {
            c.Statement = i == 3 ? "A claim about something else entirely." : $"Claim {i} mentions the quokkafilter.";
            c.Status = i == 0 ? ClaimStatus.Confirmed : ClaimStatus.Disputed;
        });
        var theirs = (await app.AddClaimsAsync(other, 1, (_, c) =>
        {
            c.Statement = "Another quokkafilter claim.";
            c.Status = ClaimStatus.Disputed;
        }))[0];

        Assert.Equal(new[] { mine[1].Slug, mine[2].Slug, theirs.Slug }.Order(), (await SlugsAsync("quokkafilter", "&status=disputed")).Order());
        Assert.Equal(new[] { mine[0].Slug, mine[1].Slug, mine[2].Slug }.Order(), (await SlugsAsync("quokkafilter", $"&subject={subject.Slug}")).Order());
        var ofEntity = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/entities/{other.Slug}/claims?q=quokkafilter");
        Assert.Equal(theirs.Id, Assert.Single(ofEntity.Items).Id);
    }

    [Fact]
    public async Task RelevancePutsTheBestMatchFirstWhileTheDefaultStaysNewestChangeFirst()
    {
        var subject = await app.AddEntityAsync();
        // The best match is the oldest, so that the two orders differ; a name-only match (weight B) ranks below the statements (A).
        var claims = await app.AddClaimsAsync(subject, 3, (i, c) =>
        {
            c.Statement = string.Join(' ', Enumerable.Repeat("The quokkarank figure", 3 - i)) + ".";
            c.UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(i - 10);
        });
        var named = await app.AddEntityAsync("quokkarank");
        var byName = (await app.AddClaimsAsync(named, 1, (_, c) =>
        {
            c.Statement = "A claim whose entity has the name.";
            c.UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-20);
        }))[0];

        var relevance = await SlugsAsync("quokkarank", "&sort=relevance");
        var newest = await SlugsAsync("quokkarank");

        Assert.Equal([claims[0].Slug, claims[1].Slug, claims[2].Slug, byName.Slug], relevance);
        Assert.Equal([claims[2].Slug, claims[1].Slug, claims[0].Slug, byName.Slug], newest);
    }

    [Theory]
    [InlineData("chips")]          // the story: ten claims, four of them tied
    [InlineData("quokkapage")]     // claims of this test: nine, in three ties of three
    public async Task RelevancePagesNeitherRepeatNorSkipClaims(string q)
    {
        if (q == "quokkapage")
        {
            var subject = await app.AddEntityAsync();
            await app.AddClaimsAsync(subject, 9, (i, c) => c.Statement = string.Join(' ', Enumerable.Repeat("quokkapage", 1 + i % 3)) + ".");
        }
        var onePage = await SearchAsync(q, "&sort=relevance");
        Assert.Null(onePage.NextCursor);

        var walked = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await app.GetJsonAsync<Page<ClaimResponse>>(
                $"/api/v1/claims?q={q}&sort=relevance&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            Assert.True(page.Items.Count == 2 || page.NextCursor is null, "only the last page may be short");
            walked.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.True(onePage.Items.Count >= 9);
        Assert.Equal(onePage.Items.Select(c => c.Id), walked);
    }

    [Theory]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=%21%3F%22%22", "q")]                     // punctuation only
    [InlineData("q=-ban%20-divieto", "q")]                   // exclusions only
    [InlineData("sort=relevance", "sort")]                   // relevance to what?
    [InlineData("q=ban&sort=best", "sort")]
    public async Task AQOrSortThatCannotBeSearchedIs400NamingIt(string query, string parameter)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims?{query}", Ct);

        var problem = await Problems.AssertValidationProblemAsync(response, parameter);
        Assert.Single(problem.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task AQOfMoreThan200CharactersIs400()
    {
        using var client = app.CreateClient();
        using var longest = await client.GetAsync($"/api/v1/claims?q={new string('a', 200)}", Ct);
        using var tooLong = await client.GetAsync($"/api/v1/claims?q={new string('a', 201)}", Ct);

        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        await Problems.AssertValidationProblemAsync(tooLong, "q");
    }

    [Fact]
    public async Task ARelevanceCursorIsRefusedWithAnotherSortOrAForgedRank()
    {
        var first = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?q=chips&sort=relevance&limit=1");
        var forged = new Cursor("relevance", "NaN", first.Items[0].Id).Encode();
        using var client = app.CreateClient();

        using var otherSort = await client.GetAsync($"/api/v1/claims?q=chips&limit=1&cursor={first.NextCursor}", Ct);
        using var badRank = await client.GetAsync($"/api/v1/claims?q=chips&sort=relevance&limit=1&cursor={forged}", Ct);

        await Problems.AssertValidationProblemAsync(otherSort, "cursor");
        await Problems.AssertValidationProblemAsync(badRank, "cursor");
    }

    [Fact]
    public async Task AClaimIsFoundByAWordOfAQuoteAddedToIt()
    {
        var claim = (await app.AddClaimsAsync(await app.AddEntityAsync(), 1))[0];
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var created = await editor.PostAsJsonAsync("/api/v1/sources", new
        {
            kind = "statement", title = "Comunicato sulle esportazioni", language = "it",
            content = "Il governo ha annunciato nuove restrizioni sulle esportazioni di semiconduttori avanzati.",
        }, Ct);
        var sourceId = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetGuid();
        Assert.DoesNotContain(claim.Slug, await SlugsAsync("restrizione"));

        using var added = await editor.PostAsJsonAsync($"/api/v1/claims/{claim.Slug}/appearances",
            new { sourceId, stance = "reports", quote = new { exact = "nuove restrizioni sulle esportazioni" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        // The singular finds the plural of the quote: Italian stemming, through the document the triggers keep current.
        Assert.Contains(claim.Slug, await SlugsAsync("restrizione"));
        Assert.Equal([claim.Slug], await SlugsAsync("restrizione", $"&subject={claim.SubjectId}"));
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEachQ()
    {
        using var client = app.CreateClient();
        var paths = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement.GetProperty("paths");
        string Describe(string path, string name) => paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == name).GetProperty("description").GetString()!;

        Assert.Contains("web-search syntax", Describe("/api/v1/claims", "q"));
        Assert.Contains("web-search syntax", Describe("/api/v1/entities/{idOrSlug}/claims", "q"));
        Assert.Contains("prefix", Describe("/api/v1/entities", "q"));
        Assert.Contains("relevance", Describe("/api/v1/claims", "sort"));
    }
}
