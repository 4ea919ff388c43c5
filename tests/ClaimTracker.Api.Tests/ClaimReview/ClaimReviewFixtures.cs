using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClaimTracker.Api.Tests.ClaimReview;

/// <summary>The ClaimReview files under Fixtures/ (copied to the output), shaped like real feeds, and how to post them.</summary>
internal static class ClaimReviewFixtures
{
    public const string ImportUrl = "/api/v1/imports/claimreview";
    public const string GoogleExampleUrl = "https://example.com/news/science/worldisflat.html";
    public const string ItalianUrl = "https://factcheck.example.it/verifiche/bytedance-12-miliardi-chip";
    public const string Budget = "bytedance-ai-chips-budget-2025";

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ClaimReview", "Fixtures", name));

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "ClaimReview", "Fixtures", name);

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string mediaType = "application/ld+json")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PostAsync(ImportUrl, content, TestContext.Current.CancellationToken);
    }

    /// <summary>Posts, asserts 200, returns the import's answer.</summary>
    public static async Task<JsonElement> ImportAsync(HttpClient client, string body, string mediaType = "application/ld+json")
    {
        using var response = await PostAsync(client, body, mediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {ImportUrl} returned {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static void AssertCounts(JsonElement result, int created = 0, int linked = 0, int updated = 0, int unchanged = 0, int rejected = 0)
    {
        var counts = (result.GetProperty("created").GetInt32(), result.GetProperty("linked").GetInt32(), result.GetProperty("updated").GetInt32(),
            result.GetProperty("unchanged").GetInt32(), result.GetProperty("rejected").GetInt32());
        Assert.True((created, linked, updated, unchanged, rejected) == counts, $"counts {counts}, expected {(created, linked, updated, unchanged, rejected)}: {result}");
    }

    public static JsonElement Item(JsonElement result, string url) =>
        result.GetProperty("items").EnumerateArray().Single(i => i.TryGetProperty("url", out var u) && u.GetString() == url);
}
