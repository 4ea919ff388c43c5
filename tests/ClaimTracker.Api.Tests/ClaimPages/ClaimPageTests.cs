using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Changes;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.ClaimPages;

/// <summary>`GET /claims/{slug}` over HTTP: what it answers to each Accept, its headers, and that data stays text.</summary>
public sealed partial class ClaimPageTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABrowserGetsTheSeededBudgetClaimAsHtmlWithItsQuotesItsWarningAndItsClaimReview()
    {
        using var response = await GetPageAsync($"/claims/{Budget}");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("script-src", csp); // no script of any kind runs
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("<!DOCTYPE html>", html.TrimStart());

        await using var db = app.CreateDbContext();
        var claim = await db.Claims.Include(c => c.Appearances).SingleAsync(c => c.Slug == Budget, Ct);
        Assert.Contains(Encoded(claim.Statement), html);
        var marks = Marks().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(claim.Appearances.Count, marks.Count);
        Assert.Equal(claim.Appearances.Select(a => a.Quote.Exact).Order(StringComparer.Ordinal), marks.Order(StringComparer.Ordinal));
        var text = WebUtility.HtmlDecode(html);
        Assert.Contains("Chain verified", text);
        Assert.Contains("The parts do not add up:", text);
        Assert.Contains("$5.5B + $6.8B = $12.3B ≠ $12B", text);
        Assert.Contains("over the total by $300M (2.5%)", text);

        // The ClaimReview in the head is the API's, byte for byte in meaning.
        var head = html[..html.IndexOf("</head>", StringComparison.Ordinal)];
        var jsonLd = JsonNode.Parse(JsonLdBlocks().Matches(head).Single().Groups[1].Value);
        using var api = await app.CreateClient().GetAsync($"/api/v1/claims/{Budget}/claimreview", Ct);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await api.Content.ReadAsStringAsync(Ct)), jsonLd));
    }

    [Fact]
    public async Task AClaimNotReviewedYetHasNoJsonLdAsTheApiAnswers409()
    {
        const string inReview = "bytedance-no-comment-budget";
        using var api = await app.CreateClient().GetAsync($"/api/v1/claims/{inReview}/claimreview", Ct);
        Assert.Equal(HttpStatusCode.Conflict, api.StatusCode);

        using var response = await GetPageAsync($"/claims/{inReview}");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("data-status=\"in_review\"", html);
    }

    [Fact]
    public async Task AnUnknownSlugIsA404PageForABrowserAndProblemDetailsForAnApiClient()
    {
        using var page = await GetPageAsync("/claims/no-such-claim-%3Cb%3E");
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Contains("<code>no-such-claim-&lt;b&gt;</code>", html);
        Assert.DoesNotContain("<b>", html);

        // An API client is sent to the JSON, which says 404 as every API error does.
        using var client = app.CreateClient(new() { AllowAutoRedirect = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/claims/no-such-claim");
        request.Headers.Accept.ParseAdd("application/json");
        using var json = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("application/json", $"/api/v1/claims/{Budget}?lang=it")]
    [InlineData("application/json, text/html;q=0.5", $"/api/v1/claims/{Budget}?lang=it")]
    [InlineData("application/ld+json", $"/api/v1/claims/{Budget}/claimreview")]
    public async Task AnApiClientIsSentToTheJsonWith303(string accept, string location)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/claims/{Budget}?lang=it");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("text/html;q=0, application/json;q=0, */*")]
    [InlineData("text/plain")]
    public async Task AnAcceptWithoutHtmlOrJsonIs406ProblemDetails(string accept)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/claims/{Budget}");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"/api/v1/claims/{Budget}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("text/*")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    public async Task BrowsersAndCurlGetThePage(string? accept)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/claims/{Budget}");
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheStatementIsInTheReadersLanguageAndTheRestOfThePageInEnglish()
    {
        await using var db = app.CreateDbContext();
        var claim = await db.Claims.SingleAsync(c => c.Slug == Budget, Ct);
        var italian = claim.Translations["it"];

        using var it = await GetPageAsync($"/claims/{Budget}", "it-IT, en;q=0.5");
        var html = await it.Content.ReadAsStringAsync(Ct);
        Assert.Contains($"<h1 id=\"statement\" lang=\"it\">{Encoded(italian)}</h1>", html);
        Assert.Contains("<html lang=\"en\">", html);
        Assert.Equal(["it", "en"], it.Content.Headers.ContentLanguage.ToArray());
        Assert.Contains("Accept-Language", it.Headers.Vary);
        Assert.Contains("Accept", it.Headers.Vary);
        Assert.Contains($"href=\"/claims/{Budget}?lang=en\"", html);

        // ?lang= wins over Accept-Language; one the API would refuse (400) is passed over by the page.
        using var en = await GetPageAsync($"/claims/{Budget}?lang=en", "it");
        Assert.Contains($"<h1 id=\"statement\" lang=\"en\">{Encoded(claim.Statement)}</h1>", await en.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["en"], en.Content.Headers.ContentLanguage.ToArray());
        using var bad = await GetPageAsync($"/claims/{Budget}?lang=not_a_tag", "it");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains(Encoded(italian), await bad.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task HostileTextInAClaimStaysTextInTheHtmlAndInsideTheJsonLd()
    {
        const string hostile = "Pwned </script><script>alert(1)</script> <!-- <b>bold</b> & \"quoted\" 'single'";
        var subject = await app.AddEntityAsync("hostile");
        var claim = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Statement = hostile;
            c.Status = ClaimStatus.Disputed; // reviewed, so that the page carries a ClaimReview with the hostile text
            c.StatusReason = hostile;
            c.Tags = ["<b>tag</b>"];
        }))[0];

        using var response = await GetPageAsync($"/claims/{claim.Slug}");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<!-- <b>", html);
        Assert.Contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", html);
        var blocks = JsonLdBlocks().Matches(html);
        var block = Assert.Single(blocks).Groups[1].Value;
        Assert.DoesNotContain("<", block);
        Assert.Contains("\\u003C/script\\u003E", block);
        Assert.Equal(hostile, JsonNode.Parse(block)!["claimReviewed"]!.GetValue<string>());
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase)); // the data block, and nothing else
    }

    [Fact]
    public async Task TheSamePageIs304ForItsETagAndANewOneOnceTheStatusChanges()
    {
        var (claim, appearanceId, _) = await app.AddClaimWithAppearanceAsync();
        using var first = await GetPageAsync($"/claims/{claim.Slug}");
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("No ETag.");
        Assert.False(etag.IsWeak);
        Assert.Contains("no-cache", first.Headers.CacheControl?.ToString());

        using var again = await GetPageAsync($"/claims/{claim.Slug}", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(Ct));

        using var editor = await app.CreateClientAsync(ClaimTracker.Api.Auth.Role.Editor);
        using var current = await editor.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                status = "refuted", reason = "The statement itself says it is not correct.", evidence = new[] { new { appearanceId } },
            }),
        };
        put.Headers.IfMatch.Add(current.Headers.ETag!);
        using var changed = await editor.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        using var after = await GetPageAsync($"/claims/{claim.Slug}", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(etag, after.Headers.ETag);
        var html = await after.Content.ReadAsStringAsync(Ct);
        Assert.Contains("data-status=\"refuted\"", html);
        Assert.Contains("Chain verified", html);
        Assert.Contains("<mark>non sono corrette</mark>", html);
        Assert.Contains("Il portavoce ha dichiarato che le informazioni <mark>non sono corrette</mark>.", html);
    }

    [Fact]
    public async Task HeadAnswersWithTheHeadersOfThePageAndNoBody()
    {
        using var client = app.CreateClient();
        using var get = await GetPageAsync($"/claims/{Budget}");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/claims/{Budget}"), Ct);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/html; charset=utf-8", head.Content.Headers.ContentType?.ToString());
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task AnonymousReadersSeeThePageUnlessAnonymousReadsAreOff()
    {
        await using var closed = app.WithWebHostBuilder(b => b.UseSetting("Auth:AnonymousReads", "false"));
        using var anonymous = await closed.CreateClient().GetAsync($"/claims/{Budget}", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private async Task<HttpResponseMessage> GetPageAsync(string path, string? acceptLanguage = null, EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(ifNoneMatch);
        return await client.SendAsync(request, Ct);
    }

    /// <summary>Text as Razor writes it: HTML-encoded, non-ASCII letters included (`’` is `&#x2019;`).</summary>
    private static string Encoded(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);

    [GeneratedRegex("<mark>(.*?)</mark>", RegexOptions.Singleline)]
    private static partial Regex Marks();

    [GeneratedRegex("""<script type="application/ld\+json">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex JsonLdBlocks();
}

/// <summary>A superuser rewrites one of the $12B claim's changes behind the API's back: its page says so.</summary>
public sealed class ClaimPageTamperTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    [Fact]
    public async Task ThePageOfAClaimWhoseChangeWasRewrittenSaysTheChainIsBrokenThere()
    {
        await using var db = app.CreateDbContext();
        var claimId = await db.Claims.Where(c => c.Slug == "bytedance-ai-chips-budget-2025").Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken);
        var seq = await db.StatusChanges.Where(c => c.ClaimId == claimId).OrderBy(c => c.Seq).Select(c => c.Seq).FirstAsync(TestContext.Current.CancellationToken);
        await Tampering.BehindTheApisBackAsync(app, "UPDATE status_changes SET reason = 'rewritten' WHERE seq = $1", seq);

        using var client = app.CreateClient();
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/claims/bytedance-ai-chips-budget-2025", TestContext.Current.CancellationToken));

        Assert.Contains("<p id=\"chain\" class=\"chain\" data-valid=\"false\">", html);
        Assert.Contains($"Chain broken at change {seq}:", Regex.Replace(html, "<[^>]+>", ""));
        Assert.DoesNotContain("Chain verified", html);
    }
}
