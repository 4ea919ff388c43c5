using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Seed;

/// <summary>The seeded ByteDance AI-chips story (Data/Seed/StoryData.cs), read over HTTP and checked against the database.</summary>
public sealed class SeededStoryTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // SHA-256 of Data/Seed/bytedance-ai-chips-2025.it.txt: the stored article must be that file byte for byte.
    private const string ArticleSha256 = "64323446ef4cb1a8b5f391b4137d3ef9ccd8a99239c3cd041c34d9879fea6653";

    private static readonly string[] Slugs =
    [
        "bytedance-ai-chips-budget-2025", "bytedance-ai-chips-spending-doubles", "bytedance-ai-chips-domestic-2025",
        "bytedance-ai-chips-abroad-2025", "bytedance-denies-anonymous-plan-report", "bytedance-denies-budget-rumours",
        "beijing-presses-firms-to-buy-domestic-ai-chips", "china-ai-chatbot-users-grew", "bytedance-evaded-sanctions-nvidia-sea",
        "bytedance-no-h100-outside-us", "bytedance-building-own-ai-chips", "us-law-tiktok-sell-or-ban", "tiktok-banned-in-us",
        "tiktok-restored-after-trump-order", "app-store-not-restored-tiktok", "bytedance-no-comment-budget",
    ];

    private Task<ClaimDetailResponse> GetClaimAsync(string slug) => app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{slug}");

    [Fact]
    public async Task TheStoryHasItsSixteenClaims()
    {
        var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?limit=100");

        Assert.Equal(StorySeed.ClaimCount, Slugs.Length);
        Assert.Equal(Slugs.Order(), page.Items.Select(c => c.Slug).Order());
    }

    [Fact]
    public async Task TheArticleIsStoredAsTheEmbeddedFileWithItsHashAndFirstRevision()
    {
        await using var db = app.CreateDbContext();
        var article = await db.Sources.Include(s => s.Revisions).SingleAsync(s => s.Id == StorySeed.ArticleId, Ct);

        Assert.Equal(SourceKind.Article, article.Kind);
        Assert.Equal("it", article.Language);
        Assert.Equal("ByteDance investe 12 miliardi di dollari in chip AI", article.Title);
        Assert.Equal(await StorySeed.ReadArticleAsync(Ct), article.Content);
        Assert.Equal(ArticleSha256, Api.Sources.SourceFields.Sha256(article.Content!));
        Assert.Equal(ArticleSha256, article.ContentSha256);
        Assert.Equal(1, article.Revision);
        var revision = Assert.Single(article.Revisions);
        Assert.Equal((1, article.Content, ArticleSha256), (revision.Revision, revision.Content, revision.ContentSha256));
    }

    [Fact]
    public async Task TheBudgetClaimIsDisputedAndDeniedByAByteDanceStatement()
    {
        var claim = await GetClaimAsync("bytedance-ai-chips-budget-2025");

        Assert.Equal(ClaimKind.Quantity, claim.Kind);
        Assert.Equal(ClaimStatus.Disputed, claim.Status);
        Assert.Equal("bytedance", claim.Subject.Slug);
        Assert.Null(claim.Claimant);
        Assert.Equal(new QuantityResponse(12_000_000_000m, "USD", true, "2025", null, null, null), claim.Quantity);
        Assert.Contains("12.3", claim.StatusReason);
        Assert.Contains(claim.Appearances, a => a.Stance == Stance.Denies && a.Source.Kind == SourceKind.Statement
                                                && a.Source.Publisher == "ByteDance" && a.Quote.Anchor == AnchorState.Anchored);
        Assert.Contains(claim.Appearances, a => a.Stance == Stance.Reports && a.Source.Id == StorySeed.ArticleId);
    }

    [Fact]
    public async Task DomesticAndAbroadSpendingArePartsOfTheBudget()
    {
        var total = await GetClaimAsync("bytedance-ai-chips-budget-2025");
        var domestic = await GetClaimAsync("bytedance-ai-chips-domestic-2025");
        var abroad = await GetClaimAsync("bytedance-ai-chips-abroad-2025");

        Assert.Equal(["bytedance-ai-chips-abroad-2025", "bytedance-ai-chips-domestic-2025"], total.Parts.Select(p => p.Slug));
        Assert.Equal(total.Id, domestic.PartOf?.Id);
        Assert.Equal(total.Id, abroad.PartOf?.Id);
        Assert.Equal((5_500_000_000m, "USD", "domestic", "2025"),
            (domestic.Quantity!.Amount, domestic.Quantity.Unit, domestic.Quantity.Scope, domestic.Quantity.Period));
        Assert.Equal((6_800_000_000m, "USD", "abroad", "2025"),
            (abroad.Quantity!.Amount, abroad.Quantity.Unit, abroad.Quantity.Scope, abroad.Quantity.Period));
        Assert.All(new[] { domestic, abroad }, c => Assert.Equal(ClaimStatus.Disputed, c.Status));
    }

    [Theory]
    [InlineData("us-law-tiktok-sell-or-ban", 19)]
    [InlineData("tiktok-banned-in-us", 19)]
    [InlineData("tiktok-restored-after-trump-order", 20)]
    public async Task TikTokBanEventsAreDatedToTheDay(string slug, int dayOfJanuary2025)
    {
        var claim = await GetClaimAsync(slug);

        Assert.Equal(ClaimKind.Event, claim.Kind);
        Assert.Equal(new DateOnly(2025, 1, dayOfJanuary2025), claim.OccurredOn);
        Assert.Equal(DatePrecision.Day, claim.DatePrecision);
        Assert.Equal("tiktok", claim.Subject.Slug);
        Assert.Equal(ClaimStatus.Confirmed, claim.Status);
    }

    [Fact]
    public async Task EveryClaimIsAnchoredInTheArticleAndEveryAnchoredQuoteSlicesItsSourceExactly()
    {
        await using var db = app.CreateDbContext();
        var contents = await db.Sources.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Content, Ct);

        foreach (var slug in Slugs)
        {
            var claim = await GetClaimAsync(slug);
            Assert.Contains(claim.Appearances, a => a.Source.Id == StorySeed.ArticleId && a.Quote.Anchor == AnchorState.Anchored);
            foreach (var quote in claim.Appearances.Select(a => (a.Quote, Content: contents[a.Source.Id])))
            {
                if (quote.Content is null)
                {
                    Assert.Equal(AnchorState.Unanchored, quote.Quote.Anchor);
                    Assert.Null(quote.Quote.Start);
                    continue;
                }
                Assert.Equal(AnchorState.Anchored, quote.Quote.Anchor);
                var (start, end) = (quote.Quote.Start!.Value, quote.Quote.End!.Value);
                Assert.Equal(quote.Quote.Exact, quote.Content[start..end]);
                Assert.Equal(QuoteAnchoring.Context(quote.Content, start, end), (quote.Quote.Prefix!, quote.Quote.Suffix!));
            }
        }
    }

    [Fact]
    public async Task EveryClaimHasAHistoryWithReasonsAndEvidenceAndTheChainVerifies()
    {
        await using var db = app.CreateDbContext();
        var changes = await db.StatusChanges.AsNoTracking().OrderBy(c => c.Seq).ToListAsync(Ct);
        var claims = await db.Claims.AsNoTracking().Include(c => c.Appearances).ToListAsync(Ct);

        Assert.Null(HashChain.FirstBroken(changes));
        foreach (var claim in claims)
        {
            var history = changes.Where(c => c.ClaimId == claim.Id).ToList();
            Assert.NotEmpty(history);
            Assert.Equal(ClaimStatus.Unverified, history[0].From);
            Assert.Equal(claim.Status, history[^1].To);
            Assert.Equal(claim.StatusChangedAt, history[^1].At);
            Assert.All(history, change =>
            {
                Assert.Equal("seed", change.Actor);
                Assert.InRange(change.Reason.Length, 1, Limits.Reason);
                Assert.NotEmpty(change.EvidenceAppearanceIds);
                Assert.All(change.EvidenceAppearanceIds, id => Assert.Contains(claim.Appearances, a => a.Id == id));
            });
        }
    }

    [Fact]
    public async Task SeedingAgainAddsNothing()
    {
        await using var db = app.CreateDbContext();
        var before = await CountRowsAsync(db);

        Assert.False(await StorySeed.SeedAsync(db, Ct));

        Assert.Equal(before, await CountRowsAsync(db));
    }

    [Fact]
    public async Task InstancesSeedingAnEmptyDatabaseAtOnceAddTheStoryOnce()
    {
        var name = $"claimtracker_seed_race_{Guid.NewGuid():N}";
        await PostgresServer.Current.Cluster.CreateDatabaseAsync(name, cancellationToken: Ct);
        var connectionString = PostgresServer.Current.Cluster.ConnectionString(name);
        await using (var db = CreateDbContext(connectionString)) await db.Database.MigrateAsync(Ct);

        var seeded = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            await using var db = CreateDbContext(connectionString);
            return await StorySeed.SeedAsync(db, Ct);
        }));

        Assert.Single(seeded, s => s);
        await using var check = CreateDbContext(connectionString);
        var counts = await CountRowsAsync(check);
        Assert.Equal((StorySeed.ClaimCount, 11, 12), (counts.Claims, counts.Sources, counts.Entities));
        Assert.Null(HashChain.FirstBroken(await check.StatusChanges.AsNoTracking().OrderBy(s => s.Seq).ToListAsync(Ct)));
    }

    [Fact]
    public async Task InstancesStartingAtOnceOnAnEmptyDatabaseMigrateAndSeedItOnceAndAllComeUp()
    {
        // The race this guards against (two CREATE TABLEs of the migrations at once) showed in 1 start of 7: five rounds.
        for (var round = 0; round < 5; round++)
        {
            var name = $"claimtracker_start_race_{Guid.NewGuid():N}";
            await PostgresServer.Current.Cluster.CreateDatabaseAsync(name, cancellationToken: Ct);
            var connectionString = PostgresServer.Current.Cluster.ConnectionString(name);
            var apps = Enumerable.Range(0, 3).Select(_ => new ClaimTrackerApp(connectionString)).ToList();
            try
            {
                await Task.WhenAll(apps.Select(a => Task.Run(a.StartAsync, Ct)));

                foreach (var app in apps)
                {
                    using var client = app.CreateClient();
                    using var ready = await client.GetAsync("/health/ready", Ct);
                    Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
                }
                await using var check = CreateDbContext(connectionString);
                var counts = await CountRowsAsync(check);
                Assert.Equal((StorySeed.ClaimCount, 11, 12), (counts.Claims, counts.Sources, counts.Entities));
                Assert.Empty(await check.Database.GetPendingMigrationsAsync(Ct));
            }
            finally
            {
                foreach (var app in apps) await app.DisposeAsync();
            }
        }
    }

    private static ClaimTrackerDbContext CreateDbContext(string connectionString) =>
        new(new DbContextOptionsBuilder<ClaimTrackerDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);

    private static async Task<(int Claims, int Sources, int Entities, int Appearances, int Changes)> CountRowsAsync(ClaimTrackerDbContext db) =>
        (await db.Claims.CountAsync(Ct), await db.Sources.CountAsync(Ct), await db.Entities.CountAsync(Ct),
         await db.Appearances.CountAsync(Ct), await db.StatusChanges.CountAsync(Ct));
}
