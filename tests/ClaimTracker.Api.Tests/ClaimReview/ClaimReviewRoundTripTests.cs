using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using static ClaimTracker.Api.Tests.ClaimReview.ClaimReviewFixtures;

namespace ClaimTracker.Api.Tests.ClaimReview;

/// <summary>A new instance: migrated, with no story seeded and no claims.</summary>
public sealed class EmptyClaimTrackerApp : ClaimTrackerApp
{
    protected override async Task<string> CreateDatabaseAsync()
    {
        var name = $"claimtracker_empty_{Guid.NewGuid():N}";
        await PostgresServer.Current.Cluster.CreateDatabaseAsync(name);
        return PostgresServer.Current.Cluster.ConnectionString(name);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Seed:Enabled", "false");
    }
}

/// <summary>Our feed, page by page, imported into a fresh instance: the same claims, claimants and verdicts.</summary>
public sealed class ClaimReviewRoundTripTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OurFeedImportedIntoAFreshInstanceGivesTheSameClaimsAndVerdicts()
    {
        using var source = app.CreateClient();
        await using var fresh = new EmptyClaimTrackerApp();
        await fresh.InitializeAsync();
        using var editor = await fresh.CreateClientAsync(Role.Editor);

        var reviews = new List<JsonElement>();
        var (created, linked) = (0, 0);
        for (var url = "/api/v1/claimreview/feed?limit=4"; url is not null;)
        {
            var page = await source.GetStringAsync(url, Ct);
            var result = await ImportAsync(editor, page);
            AssertCounts(result, created: result.GetProperty("created").GetInt32(), linked: result.GetProperty("linked").GetInt32());
            (created, linked) = (created + result.GetProperty("created").GetInt32(), linked + result.GetProperty("linked").GetInt32());
            var feed = JsonDocument.Parse(page).RootElement;
            reviews.AddRange(feed.GetProperty("dataFeedElement").EnumerateArray().Select(e => e.GetProperty("item")[0].Clone()));
            url = feed.GetProperty("nextCursor").GetString() is { } next ? $"/api/v1/claimreview/feed?limit=4&cursor={Uri.EscapeDataString(next)}" : null;
        }

        Assert.True(reviews.Count >= 5);
        Assert.Equal((reviews.Count, 0), (created, linked));
        await using var db = fresh.CreateDbContext();
        Assert.Equal(reviews.Count, await db.Claims.CountAsync(Ct));
        foreach (var review in reviews)
        {
            var statement = review.GetProperty("claimReviewed").GetString()!;
            var claim = await db.Claims.Include(c => c.Claimant).SingleAsync(c => c.Statement == statement, Ct);
            var claimant = review.GetProperty("itemReviewed").TryGetProperty("author", out var author) ? author.GetProperty("name").GetString() : null;
            Assert.Equal(claimant, claim.Claimant?.Name);

            var factCheck = await db.Sources.SingleAsync(s => s.Url == review.GetProperty("url").GetString(), Ct);
            Assert.Equal(SourceKind.FactCheck, factCheck.Kind);
            var rating = review.GetProperty("reviewRating");
            var (value, name) = (rating.GetProperty("ratingValue").GetInt32(), rating.GetProperty("alternateName").GetString());
            Assert.Contains($"Rating: {name} ({value} on a scale of 1 to 5)", factCheck.Content);
            var appearance = await db.Appearances.SingleAsync(a => a.SourceId == factCheck.Id, Ct);
            Assert.Equal(claim.Id, appearance.ClaimId);
            Assert.Equal(value switch { 1 => Stance.Disputes, 5 => Stance.Supports, _ => Stance.Reports }, appearance.Stance);
        }

        // Polled again, page by page: nothing changes.
        var again = await ImportAsync(editor, await source.GetStringAsync("/api/v1/claimreview/feed?limit=100", Ct));
        AssertCounts(again, unchanged: reviews.Count);
    }
}
