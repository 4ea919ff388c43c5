using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Claims;

public sealed class ClaimDetailTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Claim Total, Claim Part, Source Source, Appearance Appearance)> ArrangeAsync()
    {
        var subject = await app.AddEntityAsync();
        var total = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Kind = ClaimKind.Quantity;
            c.Quantity = new Quantity { Amount = 12_000_000_000m, Unit = "USD", Approximate = true, Period = "2025" };
        }))[0];
        var part = (await app.AddClaimsAsync(subject, 1, (_, c) => c.PartOfId = total.Id))[0];

        await using var db = app.CreateDbContext();
        const string content = "Secondo recenti rapporti, ByteDance prevede di investire circa 12 miliardi nell’acquisto di chip AI.";
        var source = new Source { Kind = SourceKind.Article, Title = "Test article", Language = "it", Content = content };
        var located = QuoteAnchoring.Locate(content, "circa 12 miliardi");
        var (prefix, suffix) = QuoteAnchoring.Context(content, located.Start, located.End);
        var appearance = new Appearance
        {
            ClaimId = total.Id, SourceId = source.Id, Stance = Stance.Reports,
            Quote = new Quote { Exact = "circa 12 miliardi", Prefix = prefix, Suffix = suffix, Start = located.Start, End = located.End, Anchor = AnchorState.Anchored },
        };
        db.Sources.Add(source);
        db.Appearances.Add(appearance);
        await db.SaveChangesAsync(Ct);
        return (total, part, source, appearance);
    }

    [Fact]
    public async Task ClaimBySlugAndByIdCarriesAppearancesPartsAndQuantity()
    {
        var (total, part, source, appearance) = await ArrangeAsync();

        var bySlug = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{total.Slug}");
        var byId = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{total.Id}");

        Assert.Equal(total.Id, bySlug.Id);
        Assert.Equal(bySlug.Slug, byId.Slug);
        Assert.Equal(12_000_000_000m, bySlug.Quantity!.Amount);
        Assert.True(bySlug.Quantity.Approximate);
        var shownPart = Assert.Single(bySlug.Parts);
        Assert.Equal(part.Slug, shownPart.Slug);
        var shown = Assert.Single(bySlug.Appearances);
        Assert.Equal(appearance.Id, shown.Id);
        Assert.Equal(Stance.Reports, shown.Stance);
        Assert.Equal(source.Id, shown.Source.Id);
        Assert.Equal(SourceKind.Article, shown.Source.Kind);
        Assert.Equal(AnchorState.Anchored, shown.Quote.Anchor);
        Assert.Equal("circa 12 miliardi", source.Content![shown.Quote.Start!.Value..shown.Quote.End!.Value]);

        var partDetail = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{part.Slug}");
        Assert.Equal(total.Id, partDetail.PartOf!.Id);
    }

    [Fact]
    public async Task AmountsKeepTheirOwnScaleInJson()
    {
        var (total, _, _, _) = await ArrangeAsync();
        using var client = app.CreateClient();

        var json = await client.GetStringAsync($"/api/v1/claims/{total.Slug}", Ct);

        Assert.Contains("\"amount\":12000000000,", json);
        Assert.Matches("\"createdAt\":\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"", json);
    }

    [Fact]
    public async Task ETagRoundTripGives304AndAChangeGivesANewETag()
    {
        var (total, _, _, _) = await ArrangeAsync();
        using var client = app.CreateClient();

        using var first = await client.GetAsync($"/api/v1/claims/{total.Slug}", Ct);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{total.Slug}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(etag, notModified.Headers.ETag);

        await using (var db = app.CreateDbContext())
        {
            var claim = await db.Claims.FindAsync([total.Id], Ct);
            claim!.Statement = "Edited behind the API's back.";
            await db.SaveChangesAsync(Ct);
        }
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{total.Slug}");
        again.Headers.IfNoneMatch.Add(etag);
        using var changed = await client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal("Edited behind the API's back.", (await changed.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!.Statement);
    }

    [Fact]
    public async Task StaleIfNoneMatchGetsTheFullClaim()
    {
        var (total, _, _, _) = await ArrangeAsync();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{total.Id}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\""));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("no-such-claim")]
    [InlineData("0193f4c2-0000-7000-8000-000000000000")]
    public async Task UnknownClaimIs404Problem(string idOrSlug)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/{idOrSlug}", Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(idOrSlug, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownRouteIs404Problem()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/nothing-here", Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WrongMethodIs405Problem()
    {
        using var client = app.CreateClient();
        using var response = await client.DeleteAsync("/api/v1/claims", Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }
}
