using System.Net;
using System.Net.Http.Json;
using System.Text;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Appearances;

public sealed class AppearancesApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Guid ArticleId = StorySeed.ArticleId;

    private async Task<Claim> NewClaimAsync() => (await app.AddClaimsAsync(await app.AddEntityAsync(), 1))[0];

    private async Task<string> ArticleAsync()
    {
        await using var db = app.CreateDbContext();
        return (await db.Sources.Where(s => s.Id == ArticleId).Select(s => s.Content).SingleAsync(Ct))!;
    }

    private async Task<HttpResponseMessage> PostAsync(Claim claim, object body, Role role = Role.Editor)
    {
        using var client = await app.CreateClientAsync(role);
        return await client.PostAsJsonAsync($"/api/v1/claims/{claim.Slug}/appearances", body, Ct);
    }

    private async Task<List<Appearance>> StoredAsync(Claim claim)
    {
        await using var db = app.CreateDbContext();
        return await db.Appearances.AsNoTracking().Where(a => a.ClaimId == claim.Id).OrderBy(a => a.CreatedAt).ToListAsync(Ct);
    }

    /// <summary>Asserts the claim has no appearance and its row was not touched.</summary>
    private async Task AssertUnchangedAsync(Claim claim)
    {
        Assert.Empty(await StoredAsync(claim));
        await using var db = app.CreateDbContext();
        Assert.Equal(claim.Version, await db.Claims.Where(c => c.Id == claim.Id).Select(c => c.Version).SingleAsync(Ct));
    }

    [Fact]
    public async Task QuoteFoundOnceIsAnchoredWithOffsetsThatSliceTheArticleAndTheServersContext()
    {
        var claim = await NewClaimAsync();
        var article = await ArticleAsync();
        const string exact = "raddoppierebbe l’investimento dell’azienda";

        // The client's own short context is only used to choose; the stored prefix/suffix are the server's 32 characters.
        using var response = await PostAsync(claim, new { sourceId = ArticleId, stance = "reports", quote = new { exact, prefix = "prevista " } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/claims/{claim.Id}", response.Headers.Location?.OriginalString);
        var body = (await response.Content.ReadFromJsonAsync<AppearanceResponse>(ClaimTrackerApp.Json, Ct))!;
        var (start, end) = (body.Quote.Start!.Value, body.Quote.End!.Value);
        Assert.Equal(exact, article[start..end]);
        Assert.Equal(article.IndexOf(exact, StringComparison.Ordinal), start);
        Assert.Equal(article[(start - 32)..start], body.Quote.Prefix);
        Assert.Equal(article[end..(end + 32)], body.Quote.Suffix);
        Assert.Equal((AnchorState.Anchored, Stance.Reports), (body.Quote.Anchor, body.Stance));
        Assert.Equal((ArticleId, SourceKind.Article, "ByteDance investe 12 miliardi di dollari in chip AI"),
            (body.Source.Id, body.Source.Kind, body.Source.Title));

        var stored = Assert.Single(await StoredAsync(claim));
        Assert.Equal((body.Id, ArticleId, exact, start, end), (stored.Id, stored.SourceId, stored.Quote.Exact, stored.Quote.Start, stored.Quote.End));
        Assert.Equal((body.Quote.Prefix, body.Quote.Suffix, AnchorState.Anchored), (stored.Quote.Prefix, stored.Quote.Suffix, stored.Quote.Anchor));
        var shown = Assert.Single((await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{claim.Slug}")).Appearances);
        Assert.Equal(body.Id, shown.Id);
    }

    [Fact]
    public async Task AmbiguousQuoteIs422NamingTwoMatchesAndAPrefixOrSuffixThenPicksEachOne()
    {
        var claim = await NewClaimAsync();
        var article = await ArticleAsync();
        const string exact = "non sono corrette";

        using (var ambiguous = await PostAsync(claim, new { sourceId = ArticleId, stance = "denies", quote = new { exact } }))
        {
            var problem = await Problems.AssertProblemAsync(ambiguous, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("/problems/quote-ambiguous", problem.GetProperty("type").GetString());
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("2 times", detail);
            Assert.Contains("prefix", detail);
            Assert.Contains("suffix", detail);
        }
        await AssertUnchangedAsync(claim);

        using var byPrefix = await PostAsync(claim, new { sourceId = ArticleId, stance = "denies", quote = new { exact, prefix = "sul nostro piano " } });
        using var bySuffix = await PostAsync(claim, new { sourceId = ArticleId, stance = "denies", quote = new { exact, suffix = "”, ha affermato" } });

        Assert.Equal(HttpStatusCode.Created, byPrefix.StatusCode);
        Assert.Equal(HttpStatusCode.Created, bySuffix.StatusCode);
        var first = (await byPrefix.Content.ReadFromJsonAsync<AppearanceResponse>(ClaimTrackerApp.Json, Ct))!.Quote;
        var second = (await bySuffix.Content.ReadFromJsonAsync<AppearanceResponse>(ClaimTrackerApp.Json, Ct))!.Quote;
        Assert.Equal(article.IndexOf("sul nostro piano non sono corrette", StringComparison.Ordinal) + "sul nostro piano ".Length, first.Start);
        Assert.Equal(article.IndexOf("pianificazione non sono corrette", StringComparison.Ordinal) + "pianificazione ".Length, second.Start);
        Assert.All(new[] { first, second }, q => Assert.Equal(exact, article[q.Start!.Value..q.End!.Value]));
        Assert.Equal(2, (await StoredAsync(claim)).Count);
    }

    [Theory]
    [InlineData("ByteDance ha confermato il budget", null)]
    [InlineData("non sono corrette", "sul loro piano ")]
    [InlineData("l'investimento", null)] // the article's apostrophe is typographic (’)
    public async Task QuoteNotInTheSourceIs422AndAddsNothing(string exact, string? prefix)
    {
        var claim = await NewClaimAsync();

        using var response = await PostAsync(claim, new { sourceId = ArticleId, stance = "reports", quote = new { exact, prefix } });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/quote-not-found", problem.GetProperty("type").GetString());
        await AssertUnchangedAsync(claim);
    }

    [Fact]
    public async Task AddingAnAppearanceChangesTheClaimsETagAndUpdatedAt()
    {
        var claim = await NewClaimAsync();
        using var reader = app.CreateClient();
        using var before = await reader.GetAsync($"/api/v1/claims/{claim.Id}", Ct);

        using var response = await PostAsync(claim, new { sourceId = ArticleId, stance = "reports", quote = new { exact = "12 miliardi di dollari in chip AI nel 2025" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var after = await reader.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var (was, now) = (await before.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct),
            await after.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct));
        Assert.True(now!.UpdatedAt > was!.UpdatedAt);
    }

    [Fact]
    public async Task SourceWithoutContentStoresTheQuoteUnanchoredWithTheClientsContext()
    {
        var claim = await NewClaimAsync();
        var source = new Source { Kind = SourceKind.Report, Title = "Anonymous report without text" };
        await using (var db = app.CreateDbContext())
        {
            db.Sources.Add(source);
            await db.SaveChangesAsync(Ct);
        }

        using var response = await PostAsync(claim, new
        {
            sourceId = source.Id, stance = "asserts", quote = new { exact = "12 miliardi", prefix = "circa ", suffix = " di dollari" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var quote = (await response.Content.ReadFromJsonAsync<AppearanceResponse>(ClaimTrackerApp.Json, Ct))!.Quote;
        Assert.Equal(new QuoteResponse("12 miliardi", "circa ", " di dollari", null, null, AnchorState.Unanchored), quote);
        var stored = Assert.Single(await StoredAsync(claim));
        Assert.Equal((AnchorState.Unanchored, (int?)null, (int?)null), (stored.Quote.Anchor, stored.Quote.Start, stored.Quote.End));
    }

    [Fact]
    public async Task TheSameAppearanceTwiceIs409NamingTheFirst()
    {
        var claim = await NewClaimAsync();
        var body = new { sourceId = ArticleId, stance = "reports", quote = new { exact = "Cambricon" } };
        using var first = await PostAsync(claim, body);
        var id = (await first.Content.ReadFromJsonAsync<AppearanceResponse>(ClaimTrackerApp.Json, Ct))!.Id;

        using var again = await PostAsync(claim, body);
        using var otherStance = await PostAsync(claim, body with { stance = "supports" });

        var problem = await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict);
        Assert.Equal("/problems/appearance-exists", problem.GetProperty("type").GetString());
        Assert.Equal(id.ToString(), problem.GetProperty("appearanceId").GetString());
        Assert.Equal(HttpStatusCode.Created, otherStance.StatusCode);
        Assert.Equal(2, (await StoredAsync(claim)).Count);
    }

    [Fact]
    public async Task UnknownSourceIs422AndUnknownClaimIs404()
    {
        var claim = await NewClaimAsync();
        var missing = Guid.CreateVersion7();

        using var unknownSource = await PostAsync(claim, new { sourceId = missing, stance = "reports", quote = new { exact = "Cambricon" } });
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var unknownClaim = await editor.PostAsJsonAsync("/api/v1/claims/no-such-claim/appearances",
            new { sourceId = ArticleId, stance = "reports", quote = new { exact = "Cambricon" } }, Ct);

        var problem = await Problems.AssertProblemAsync(unknownSource, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/unknown-source", problem.GetProperty("type").GetString());
        Assert.Contains(missing.ToString(), problem.GetProperty("detail").GetString());
        await Problems.AssertProblemAsync(unknownClaim, HttpStatusCode.NotFound);
        await AssertUnchangedAsync(claim);
    }

    [Theory]
    [InlineData("""{ "stance": "reports", "quote": { "exact": "Cambricon" } }""", "sourceId")]
    [InlineData("""{ "sourceId": "not-a-uuid", "stance": "reports", "quote": { "exact": "Cambricon" } }""", "sourceId")]
    [InlineData("""{ "sourceId": "{article}", "quote": { "exact": "Cambricon" } }""", "stance")]
    [InlineData("""{ "sourceId": "{article}", "stance": "agrees", "quote": { "exact": "Cambricon" } }""", "stance")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports" }""", "quote")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports", "quote": { "exact": "" } }""", "quote.exact")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports", "quote": { "exact": "{long}" } }""", "quote.exact")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports", "quote": { "exact": "Cambricon", "prefix": "{prefix}" } }""", "quote.prefix")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports", "quote": { "exact": "Cambricon", "suffix": "{prefix}" } }""", "quote.suffix")]
    [InlineData("""{ "sourceId": "{article}", "stance": "reports", "quote": { "exact": "Cambricon", "start": 3 } }""", "quote.start")]
    public async Task InvalidBodyIs400NamingTheFieldAndAddsNothing(string json, string field)
    {
        var claim = await NewClaimAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);
        json = json.Replace("{article}", ArticleId.ToString()).Replace("{long}", new string('x', 4001)).Replace("{prefix}", new string('p', 33));

        using var response = await editor.PostAsync($"/api/v1/claims/{claim.Id}/appearances", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        await AssertUnchangedAsync(claim);
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingIsAdded()
    {
        var claim = await NewClaimAsync();
        var body = new { sourceId = ArticleId, stance = "reports", quote = new { exact = "Cambricon" } };
        using var anonymous = app.CreateClient();

        using var unauthorized = await anonymous.PostAsJsonAsync($"/api/v1/claims/{claim.Id}/appearances", body, Ct);
        using var forbidden = await PostAsync(claim, body, Role.Reader);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(claim);
    }
}
