using System.Net;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ClaimTracker.Api.Tests.ClaimReview.ClaimReviewFixtures;

namespace ClaimTracker.Api.Tests.ClaimReview;

public sealed class ClaimReviewImportTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GoogleExampleAndItalianReviewOfTheBudgetCreateOneClaimAndLinkOneThenAreUnchanged()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        await using var before = app.CreateDbContext();
        var claimsBefore = await before.Claims.CountAsync(Ct);

        var first = await ImportAsync(editor, Read("datafeed.json"));

        AssertCounts(first, created: 1, linked: 1);
        var flat = Item(first, GoogleExampleUrl);
        Assert.Equal("created", flat.GetProperty("outcome").GetString());
        Assert.Equal("the-world-is-flat", flat.GetProperty("claim").GetProperty("slug").GetString());
        var italian = Item(first, ItalianUrl);
        Assert.Equal("linked", italian.GetProperty("outcome").GetString());
        Assert.Equal(Budget, italian.GetProperty("claim").GetProperty("slug").GetString());
        Assert.False(italian.TryGetProperty("reason", out _));

        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(claimsBefore + 1, await db.Claims.CountAsync(Ct));
            var created = await db.Claims.Include(c => c.Claimant).Include(c => c.Subject).SingleAsync(c => c.Slug == "the-world-is-flat", Ct);
            Assert.Equal(ClaimStatus.Unverified, created.Status);
            Assert.Equal("The world is flat", created.Statement);
            Assert.Equal("Square World Society", created.Claimant!.Name);
            Assert.Equal(created.ClaimantId, created.SubjectId); // no tracked entity named in it: the claimant is what it is about

            var source = await db.Sources.SingleAsync(s => s.Url == GoogleExampleUrl, Ct);
            Assert.Equal(SourceKind.FactCheck, source.Kind);
            Assert.Equal("Example.com science watch", source.Publisher);
            Assert.Equal("The world is flat\n\nRating: False (1 on a scale of 1 to 5)", source.Content);
            var appearance = await db.Appearances.SingleAsync(a => a.SourceId == source.Id, Ct);
            Assert.Equal((created.Id, Stance.Disputes, AnchorState.Anchored, 0), (appearance.ClaimId, appearance.Stance, appearance.Quote.Anchor, appearance.Quote.Start));

            var budget = await db.Claims.SingleAsync(c => c.Slug == Budget, Ct);
            var review = await db.Sources.SingleAsync(s => s.Url == ItalianUrl, Ct);
            Assert.Equal(("it", "Verifiche Esempio", new DateTimeOffset(2025, 1, 24, 0, 0, 0, TimeSpan.Zero)), (review.Language, review.Publisher, review.PublishedAt!.Value));
            Assert.Equal("No, non è certo che ByteDance spenderà 12 miliardi in chip", review.Title);
            var linked = await db.Appearances.SingleAsync(a => a.SourceId == review.Id, Ct);
            // "Nì" (half true) without numbers: the review reports the claim.
            Assert.Equal((budget.Id, Stance.Reports), (linked.ClaimId, linked.Stance));
            Assert.Equal(ClaimStatus.Disputed, budget.Status); // an imported verdict never sets the desk's own
        }

        var again = await ImportAsync(editor, Read("datafeed.json"));

        AssertCounts(again, unchanged: 2);
        Assert.Equal(Budget, Item(again, ItalianUrl).GetProperty("claim").GetProperty("slug").GetString());
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(claimsBefore + 1, await db.Claims.CountAsync(Ct));
            Assert.Equal(1, await db.Sources.CountAsync(s => s.Url == GoogleExampleUrl, Ct));
            Assert.Equal(1, await db.Appearances.CountAsync(a => a.Source.Url == ItalianUrl, Ct));
        }
    }

    [Fact]
    public async Task OneReviewAsPlainJsonIsImportedAlone()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var body = Read("google-example.json").Replace(GoogleExampleUrl, "https://example.com/news/science/worldisflat-2.html")
            .Replace("The world is flat", "Penguins migrate to the Sahara every winter");

        var result = await ImportAsync(editor, body, "application/json");

        AssertCounts(result, created: 1);
        Assert.Equal(0, Item(result, "https://example.com/news/science/worldisflat-2.html").GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task MalformedReviewsAreRejectedWithTheirReasonsAndTheOthersGoOn()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        await using var before = app.CreateDbContext();
        var (claims, sources, entities) = (await before.Claims.CountAsync(Ct), await before.Sources.CountAsync(Ct), await before.Entities.CountAsync(Ct));

        var result = await ImportAsync(editor, Read("malformed.json"));

        AssertCounts(result, created: 1, rejected: 6);
        var items = result.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 7), items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.Contains("url is required", items[0].GetProperty("reason").GetString());
        Assert.Contains("'Needs more context' is not a rating word", items[1].GetProperty("reason").GetString());
        Assert.Contains("ratingValue \"five\" is not a number", items[2].GetProperty("reason").GetString());
        Assert.Contains("not ClaimReview", items[3].GetProperty("reason").GetString());
        Assert.Contains("is a JSON object", items[4].GetProperty("reason").GetString());
        Assert.Contains("datePublished 'last Tuesday' is not a date", items[5].GetProperty("reason").GetString());
        Assert.Equal("created", items[6].GetProperty("outcome").GetString());
        Assert.All(items.Take(6), i => Assert.False(i.TryGetProperty("claim", out _)));

        await using var db = app.CreateDbContext();
        Assert.Equal(claims + 1, await db.Claims.CountAsync(Ct));
        Assert.Equal(sources + 1, await db.Sources.CountAsync(Ct));
        Assert.Equal(entities + 1, await db.Entities.CountAsync(Ct)); // the claimant, A. Traveller; the Great Wall claim names China
        var wall = await db.Appearances.Include(a => a.Claim).ThenInclude(c => c.Subject).SingleAsync(a => a.Source.Url == "https://factcheck.example/pants-on-fire", Ct);
        Assert.Equal(Stance.Disputes, wall.Stance); // 0 on 0–6
        Assert.Equal("china", wall.Claim.Subject.Slug);
        Assert.False(await db.Sources.AnyAsync(s => s.Url == "https://factcheck.example/bad-date", Ct));
    }

    [Fact]
    public async Task AChangedRatingRevisesTheSourceAndAddsTheNewStanceNeverASecondSource()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        const string url = "https://factcheck.example/earth-age";
        string Review(string value, string name) => $$"""
            { "@context": "https://schema.org", "@type": "ClaimReview", "url": "{{url}}",
              "claimReviewed": "The Earth is six thousand years old",
              "author": { "@type": "Organization", "name": "Example Fact Desk" },
              "reviewRating": { "@type": "Rating", "ratingValue": {{value}}, "bestRating": 5, "worstRating": 1, "alternateName": "{{name}}" } }
            """;
        AssertCounts(await ImportAsync(editor, Review("1", "False")), created: 1);

        var changed = await ImportAsync(editor, Review("\"3\"", "Half true"));

        AssertCounts(changed, updated: 1);
        await using var db = app.CreateDbContext();
        var source = await db.Sources.Include(s => s.Revisions).SingleAsync(s => s.Url == url, Ct);
        Assert.Equal(2, source.Revision);
        Assert.Equal(["The Earth is six thousand years old\n\nRating: False (1 on a scale of 1 to 5)",
                      "The Earth is six thousand years old\n\nRating: Half true (3 on a scale of 1 to 5)"],
            source.Revisions.OrderBy(r => r.Revision).Select(r => r.Content));
        var stances = await db.Appearances.Where(a => a.SourceId == source.Id).OrderBy(a => a.CreatedAt).Select(a => new { a.Stance, a.Quote.Anchor }).ToListAsync(Ct);
        Assert.Equal([Stance.Disputes, Stance.Reports], stances.Select(a => a.Stance));
        Assert.All(stances, a => Assert.Equal(AnchorState.Anchored, a.Anchor));

        AssertCounts(await ImportAsync(editor, Review("\"3\"", "Half true")), unchanged: 1);
        // Back to the first rating: another revision, and no second appearance with a stance the source already has.
        AssertCounts(await ImportAsync(editor, Review("1", "False")), updated: 1);
        Assert.Equal(2, await db.Appearances.CountAsync(a => a.SourceId == source.Id, Ct));
        Assert.Equal(1, await db.Sources.CountAsync(s => s.Url == url, Ct));
    }

    [Fact]
    public async Task TwoConcurrentImportsOfOneFeedCreateEachReviewOnce()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var feed = Read("datafeed.json").Replace("example.com/news/science/worldisflat", "example.com/news/science/worldisflat-concurrent")
            .Replace("verifiche/bytedance-12-miliardi-chip", "verifiche/bytedance-12-miliardi-chip-concurrent")
            .Replace("The world is flat", "Lightning never strikes the same place twice");

        var results = await Task.WhenAll(ImportAsync(editor, feed), ImportAsync(editor, feed));

        Assert.Equal(1, results.Sum(r => r.GetProperty("created").GetInt32()));
        Assert.Equal(1, results.Sum(r => r.GetProperty("linked").GetInt32()));
        Assert.Equal(2, results.Sum(r => r.GetProperty("unchanged").GetInt32()));
        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.Claims.CountAsync(c => c.Statement == "Lightning never strikes the same place twice", Ct));
        Assert.Equal(2, await db.Sources.CountAsync(s => s.Url!.Contains("-concurrent"), Ct));
        Assert.Equal(2, await db.Appearances.CountAsync(a => a.Source.Url!.Contains("-concurrent"), Ct));
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs400AndAnotherMediaTypeIs415()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var broken = await PostAsync(editor, "{ \"@type\": \"ClaimReview\", ");
        var problem = await Problems.AssertProblemAsync(broken, HttpStatusCode.BadRequest);
        Assert.Contains("not well-formed JSON", problem.GetProperty("detail").GetString());

        using var scalar = await PostAsync(editor, "\"https://example.com/review\"");
        await Problems.AssertProblemAsync(scalar, HttpStatusCode.BadRequest);

        using var text = await PostAsync(editor, Read("google-example.json"), "text/plain");
        await Problems.AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task MoreReviewsThanTheItemLimitOrABodyOverTheByteLimitIs413AndImportsNothing()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var review = Read("google-example.json");
        var many = "[" + string.Join(",", Enumerable.Range(0, 201).Select(i => review.Replace("worldisflat.html", $"worldisflat-limit-{i}.html"))) + "]";

        using var tooMany = await PostAsync(editor, many);

        var problem = await Problems.AssertProblemAsync(tooMany, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("/problems/too-many-items", problem.GetProperty("type").GetString());
        Assert.Contains("at most 200", problem.GetProperty("detail").GetString());

        var huge = review.Replace("\"claimReviewed\"", $"\"reviewBody\": \"{new string('x', 1 << 20)}\", \"claimReviewed\"");
        using var tooLarge = await PostAsync(editor, huge);
        await Problems.AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);

        await using var db = app.CreateDbContext();
        Assert.False(await db.Sources.AnyAsync(s => s.Url!.StartsWith("https://example.com/news/science/worldisflat-limit-"), Ct));
    }

    [Fact]
    public async Task AnIdempotencyKeyReplaysTheFirstAnswerOfARetriedImport()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var body = Read("google-example.json").Replace(GoogleExampleUrl, "https://example.com/news/science/tides.html")
            .Replace("The world is flat", "The Moon causes no tides");
        editor.DefaultRequestHeaders.Add("Idempotency-Key", $"import-{Guid.NewGuid():N}");

        var first = await ImportAsync(editor, body);
        var retry = await ImportAsync(editor, body);

        AssertCounts(first, created: 1);
        Assert.Equal(first.GetRawText(), retry.GetRawText()); // replayed, not re-run as `unchanged`
    }

    [Fact]
    public async Task AReaderMayNotImport()
    {
        using var reader = await app.CreateClientAsync(Role.Reader);

        using var response = await PostAsync(reader, Read("google-example.json"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }
}
