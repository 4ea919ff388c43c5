using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Matching;

/// <summary>`POST /claims/match` and `GET /claims/{idOrSlug}/similar` over HTTP, on the seeded story.</summary>
public sealed class MatchApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpResponseMessage Response, JsonElement Body)> MatchAsync(string json)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsync("/api/v1/claims/match", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static List<(string Slug, double Score, string Verdict, JsonElement Matched)> Items(JsonElement body) =>
        [.. body.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("claim").GetProperty("slug").GetString()!,
            i.GetProperty("score").GetDouble(), i.GetProperty("verdict").GetString()!, i.GetProperty("matched")))];

    [Fact]
    public async Task TheItalianBudgetSentenceIsTheBudgetClaimAsADuplicateMatchedByItsItalianStatement()
    {
        var (response, body) = await MatchAsync("""
            { "text": "ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025", "language": "it" }
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = Items(body);
        var (slug, score, verdict, matched) = items[0];
        Assert.Equal(Budget, slug);
        Assert.Equal("duplicate", verdict);
        Assert.InRange(score, 0.5, 1);
        Assert.Equal("translation", matched.GetProperty("field").GetString());
        Assert.Equal("it", matched.GetProperty("language").GetString());
        Assert.All(items.Skip(1), i => Assert.Equal("similar", i.Verdict)); // one text, one claim
        Assert.Equal(items.Select(i => i.Score).OrderDescending(), items.Select(i => i.Score)); // best first
    }

    [Theory]
    [InlineData("ByteDance spenderà 5,5 miliardi all'estero", "it")]
    [InlineData("ByteDance spenderà 5,5 miliardi all'estero", null)]
    [InlineData("ByteDance will spend $12 billion on AI chips in 2024.", "en")]
    public async Task AContradictedFigureOrYearIsNeverADuplicate(string text, string? language)
    {
        var (response, body) = await MatchAsync(JsonSerializer.Serialize(new { text, language }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = Items(body);
        Assert.NotEmpty(items); // the budget family is found, as similar
        Assert.All(items, i => Assert.Equal("similar", i.Verdict));
    }

    [Fact]
    public async Task UnrelatedNewsFindsNothing()
    {
        var (response, body) = await MatchAsync("""{ "text": "La Juventus ha battuto il Milan 2-1 a San Siro domenica sera." }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Items(body));
    }

    [Theory]
    [InlineData("""{ "text": "" }""", "text")]
    [InlineData("""{ "text": "   " }""", "text")]
    [InlineData("""{ "language": "it" }""", "text")]
    [InlineData("""{ "text": "ByteDance", "language": "fr" }""", "language")]
    [InlineData("""{ "text": "ByteDance", "language": "klingon" }""", "language")]
    [InlineData("""{ "text": "ByteDance", "limit": 0 }""", "limit")]
    [InlineData("""{ "text": "ByteDance", "limit": 21 }""", "limit")]
    public async Task BadInputIs400NamingTheField(string json, string field)
    {
        var (response, _) = await MatchAsync(json);
        await Problems.AssertValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task ATextOverTwoThousandCharactersIs400()
    {
        var (response, _) = await MatchAsync(JsonSerializer.Serialize(new { text = new string('a', 2001) }));
        await Problems.AssertValidationProblemAsync(response, "text");
    }

    [Fact]
    public async Task SimilarLeavesOutTheClaimItsPartsAndItsTotal()
    {
        using var client = app.CreateClient();

        var ofTotal = Items(await client.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{Budget}/similar?limit=20", Ct));
        var ofPart = Items(await client.GetFromJsonAsync<JsonElement>("/api/v1/claims/bytedance-ai-chips-abroad-2025/similar?limit=20", Ct));

        Assert.NotEmpty(ofTotal);
        Assert.DoesNotContain(ofTotal, i => i.Slug is Budget or "bytedance-ai-chips-abroad-2025" or "bytedance-ai-chips-domestic-2025");
        Assert.NotEmpty(ofPart);
        Assert.DoesNotContain(ofPart, i => i.Slug is Budget or "bytedance-ai-chips-abroad-2025");
        Assert.Contains(ofPart, i => i.Slug == "bytedance-ai-chips-domestic-2025"); // a sibling is not its total
    }

    [Fact]
    public async Task SimilarOfAnUnknownClaimIs404AndABadLimitIs400()
    {
        using var client = app.CreateClient();
        using var missing = await client.GetAsync("/api/v1/claims/no-such-claim/similar", Ct);
        await Problems.AssertProblemAsync(missing, HttpStatusCode.NotFound);
        using var badLimit = await client.GetAsync($"/api/v1/claims/{Budget}/similar?limit=99", Ct);
        await Problems.AssertValidationProblemAsync(badLimit, "limit");
    }
}
