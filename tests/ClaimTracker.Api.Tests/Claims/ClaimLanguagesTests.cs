using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>
/// A claim's statement in several languages: written with `statements`, read in the language asked for (`?lang=`,
/// `Accept-Language`) with `Content-Language`, `Vary` and an ETag per language, and found by search in every language.
/// </summary>
public sealed class ClaimLanguagesTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";
    private const string BudgetItalian = "ByteDance prevede di investire circa 12 miliardi di dollari in chip AI nel 2025.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Get(string url, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        return request;
    }

    private async Task<(HttpResponseMessage Response, JsonObject Body)> SendAsync(HttpRequestMessage request)
    {
        using var client = app.CreateClient();
        var response = await client.SendAsync(request, Ct);
        var body = response.StatusCode == HttpStatusCode.NotModified ? [] : (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        return (response, body);
    }

    [Fact]
    public async Task TheSeededClaimsHaveTheirItalianStatements()
    {
        await using var db = app.CreateDbContext();
        // The seeded claims only: another test of this class may have created one already.
        var seeded = ClaimTracker.Api.Data.Seed.StoryData.Claims.Select(c => c.Slug).ToList();
        var claims = await db.Claims.AsNoTracking().Where(c => seeded.Contains(c.Slug)).Select(c => new { c.Slug, c.Translations }).ToListAsync(Ct);

        Assert.Equal(16, claims.Count);
        Assert.All(claims, c => Assert.False(string.IsNullOrWhiteSpace(c.Translations.GetValueOrDefault("it")), c.Slug));
        Assert.Equal(BudgetItalian, claims.Single(c => c.Slug == Budget).Translations["it"]);
    }

    [Theory]
    [InlineData(null, null, "en")]
    [InlineData("it", null, "it")]
    [InlineData("it-IT, en;q=0.5", null, "it")] // RFC 4647 lookup: it-IT falls back to it
    [InlineData("fr, it;q=0.8", null, "it")] // no French: the next preference
    [InlineData("fr", null, "en")] // nothing asked for is there: English
    [InlineData("it;q=0, en", null, "en")] // q=0 refuses
    [InlineData("en", "it", "it")] // ?lang= wins over the header
    [InlineData("*", null, "en")]
    public async Task ADetailIsInTheLanguageAskedForAndSaysWhich(string? acceptLanguage, string? lang, string expected)
    {
        var (response, body) = await SendAsync(Get($"/api/v1/claims/{Budget}" + (lang is null ? "" : $"?lang={lang}"), acceptLanguage));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([expected], response.Content.Headers.ContentLanguage);
        Assert.Contains("Accept-Language", response.Headers.Vary);
        var statements = body["statements"]!.AsObject();
        Assert.Equal(["en", "it"], statements.Select(s => s.Key));
        Assert.Equal(statements[expected]!.GetValue<string>(), body["statement"]!.GetValue<string>());
        Assert.Equal(expected == "it" ? BudgetItalian : "ByteDance plans to spend about $12 billion on AI chips in 2025.",
            body["statement"]!.GetValue<string>());
    }

    [Fact]
    public async Task EachLanguageHasItsOwnETagAndA304OnlyForItsOwn()
    {
        var (english, _) = await SendAsync(Get($"/api/v1/claims/{Budget}"));
        var (italian, _) = await SendAsync(Get($"/api/v1/claims/{Budget}", "it"));
        Assert.NotEqual(english.Headers.ETag, italian.Headers.ETag);

        var again = Get($"/api/v1/claims/{Budget}", "it");
        again.Headers.IfNoneMatch.Add(italian.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(again)).Response.StatusCode);

        var otherLanguage = Get($"/api/v1/claims/{Budget}");
        otherLanguage.Headers.IfNoneMatch.Add(italian.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(otherLanguage)).Response.StatusCode);
    }

    [Fact]
    public async Task CreateWithStatementsThenPatchOneLanguageThenReadItBack()
    {
        var subject = await app.AddEntityAsync();
        var slug = TestData.UniqueSlug("lang");
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var created = await editor.PostAsJsonAsync("/api/v1/claims", new
        {
            slug, statement = "TikTok was banned across the US.", kind = "assertion", subject = subject.Slug,
            statements = new Dictionary<string, string> { ["IT"] = "TikTok è stato vietato negli Stati Uniti.", ["pt-br"] = "O TikTok foi banido nos EUA." },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        // Tags are stored in their canonical case; en comes from statement.
        Assert.Equal(["en", "it", "pt-BR"], body["statements"]!.AsObject().Select(s => s.Key));

        // A merge patch changes one language and drops another; the Italian ETag is good for If-Match.
        var (read, _) = await SendAsync(Get($"/api/v1/claims/{slug}", "it"));
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{slug}")
        {
            Content = new StringContent("""{ "statements": { "it": "TikTok è stato bandito in tutti gli Stati Uniti.", "pt-BR": null } }""",
                Encoding.UTF8, ClaimMergePatch.MediaType),
        };
        patch.Headers.IfMatch.Add(read.Headers.ETag!);
        patch.Headers.TryAddWithoutValidation("Accept-Language", "it");
        using var patched = await editor.SendAsync(patch, Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = (await patched.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal("TikTok è stato bandito in tutti gli Stati Uniti.", after["statement"]!.GetValue<string>());
        Assert.Equal(["it"], patched.Content.Headers.ContentLanguage);
        Assert.Equal(["en", "it"], after["statements"]!.AsObject().Select(s => s.Key));
        Assert.Equal("TikTok was banned across the US.", after["statements"]!["en"]!.GetValue<string>());

        // statements.en is the statement itself: changing it changes `statement`.
        var (again, _) = await SendAsync(Get($"/api/v1/claims/{slug}"));
        var english = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{slug}")
        {
            Content = new StringContent("""{ "statements": { "en": "TikTok was banned in the US from 19 January." } }""",
                Encoding.UTF8, ClaimMergePatch.MediaType),
        };
        english.Headers.IfMatch.Add(again.Headers.ETag!);
        using var renamed = await editor.SendAsync(english, Ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("TikTok was banned in the US from 19 January.", (await renamed.Content.ReadFromJsonAsync<JsonObject>(Ct))!["statement"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{ "xx-nope": "Testo." }""", "statements.xx-nope")]
    [InlineData("""{ "it": " " }""", "statements.it")]
    [InlineData("""{ "en": "Something else entirely." }""", "statements.en")]
    [InlineData("""{ "it": "Uno.", "IT": "Due." }""", "statements.IT")]
    public async Task BadStatementsAre400NamingTheLanguageAndAddNothing(string statements, string field)
    {
        var subject = await app.AddEntityAsync();
        var slug = TestData.UniqueSlug("lang");
        using var editor = await app.CreateClientAsync(Role.Editor);
        var json = $$"""{ "slug": "{{slug}}", "statement": "S.", "kind": "assertion", "subject": "{{subject.Slug}}", "statements": {{statements}} }""";

        using var response = await editor.PostAsync("/api/v1/claims", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        await using var db = app.CreateDbContext();
        Assert.False(await db.Claims.AnyAsync(c => c.Slug == slug, Ct));
    }

    [Fact]
    public async Task RemovingTheEnglishStatementIs400AndChangesNothing()
    {
        var (read, before) = await SendAsync(Get($"/api/v1/claims/{Budget}"));
        using var editor = await app.CreateClientAsync(Role.Editor);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{Budget}")
        {
            Content = new StringContent("""{ "statements": { "en": null } }""", Encoding.UTF8, ClaimMergePatch.MediaType),
        };
        patch.Headers.IfMatch.Add(read.Headers.ETag!);

        using var response = await editor.SendAsync(patch, Ct);

        await Problems.AssertValidationProblemAsync(response, "statements.en");
        var (_, after) = await SendAsync(Get($"/api/v1/claims/{Budget}"));
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task AStaleItalianETagIs412AndChangesNothing()
    {
        var (read, before) = await SendAsync(Get($"/api/v1/claims/{Budget}", "it"));
        var version = read.Headers.ETag!.Tag.Trim('"').Split('@')[0];
        using var editor = await app.CreateClientAsync(Role.Editor);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{Budget}")
        {
            Content = new StringContent("""{ "statements": { "it": "Un'altra frase." } }""", Encoding.UTF8, ClaimMergePatch.MediaType),
        };
        patch.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{uint.Parse(version) - 1}@it\""));

        using var response = await editor.SendAsync(patch, Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
        var (_, after) = await SendAsync(Get($"/api/v1/claims/{Budget}", "it"));
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task AnUnknownLangIs400NamingIt()
    {
        var (detail, _) = await SendAsync(Get($"/api/v1/claims/{Budget}?lang=klingon-x"));
        await Problems.AssertValidationProblemAsync(detail, "lang");
        var (list, _) = await SendAsync(Get("/api/v1/claims?lang=zz"));
        await Problems.AssertValidationProblemAsync(list, "lang");
    }

    [Fact]
    public async Task TheListIsInTheReadersLanguageAndSearchFindsTheItalianStatement()
    {
        // "spenderà"-style Italian wording that only the Italian statement has (not the article's quotes): "destinare".
        var (response, body) = await SendAsync(Get("/api/v1/claims?q=destinare&lang=it"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = body["items"]!.AsArray();
        Assert.Equal(["bytedance-ai-chips-abroad-2025", "bytedance-ai-chips-domestic-2025"],
            items.Select(i => i!["slug"]!.GetValue<string>()).Order());
        Assert.All(items, i => Assert.StartsWith("ByteDance prevede di destinare", i!["statement"]!.GetValue<string>()));
        Assert.Equal(["it"], response.Content.Headers.ContentLanguage);
        Assert.Contains("Accept-Language", response.Headers.Vary);
    }
}
