using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Tests.Dashboard;
using Deque.AxeCore.Commons;
using Microsoft.EntityFrameworkCore;
using PuppeteerSharp;

namespace ClaimTracker.Api.Tests.ClaimPages;

/// <summary>
/// The claim page of the $12B claim in headless Chromium, under its own CSP, against the API on a real port: what a
/// reader sees, what a search engine reads, and what axe-core finds.
/// </summary>
public sealed class ClaimPageBrowserTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";
    private const int TestTimeoutMilliseconds = 90_000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task TheBudgetClaimShowsEachQuoteHighlightedInItsSourceAndTheWarningWithoutConsoleErrors()
    {
        await using var session = await PageSession.OpenAsync(host, $"/claims/{Budget}", TestContext.Current.CancellationToken);
        await using var db = host.CreateDbContext();
        var claim = await db.Claims.Include(c => c.Appearances).SingleAsync(c => c.Slug == Budget, Ct);

        Assert.Equal(claim.Statement, await TextAsync(session.Page, "h1"));
        var quotes = await session.Page.EvaluateFunctionAsync<ShownQuote[]>("""
            () => [...document.querySelectorAll('li.appearance')].map(li => ({
              appearanceId: li.dataset.appearanceId,
              marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
              quote: li.querySelector('blockquote').textContent,
              anchor: li.dataset.anchor,
            }))
            """);
        Assert.Equal(claim.Appearances.Count, quotes.Length);
        foreach (var appearance in claim.Appearances)
        {
            var shown = Assert.Single(quotes, q => q.AppearanceId == appearance.Id.ToString());
            Assert.Equal([appearance.Quote.Exact], shown.Marks);
            Assert.Contains(appearance.Quote.Exact, shown.Quote);
        }
        Assert.Contains(quotes, q => q.Quote.Length > q.Marks[0].Length + 40); // the article's quotes have context around them

        var warning = await TextAsync(session.Page, "#consistency-warning");
        Assert.Contains("$5.5B + $6.8B = $12.3B ≠ $12B", warning);
        Assert.Equal(
            ["bytedance-ai-chips-domestic-2025", "bytedance-ai-chips-abroad-2025"],
            await session.Page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#figures tr.part')].map(tr => tr.dataset.slug)"));
        Assert.Equal("true", await session.Page.EvaluateExpressionAsync<string>("document.getElementById('chain').dataset.valid"));
        Assert.StartsWith("Chain verified", await TextAsync(session.Page, "#chain"));
        Assert.Contains(claim.StatusReason!, await TextAsync(session.Page, "#status-reason"));
        Assert.True(await session.Page.EvaluateExpressionAsync<bool>(
            "getComputedStyle(document.querySelector('mark')).backgroundColor !== 'rgba(0, 0, 0, 0)'"), "app.css and claim-page.css load under the CSP.");
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task TheJsonLdInTheHeadParsesAndEqualsTheApisClaimReview()
    {
        await using var session = await PageSession.OpenAsync(host, $"/claims/{Budget}", TestContext.Current.CancellationToken);

        var blocks = await session.Page.EvaluateExpressionAsync<string[]>(
            "[...document.head.querySelectorAll('script[type=\"application/ld+json\"]')].map(s => s.textContent)");
        var shown = JsonNode.Parse(Assert.Single(blocks));
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var api = JsonNode.Parse(await client.GetStringAsync($"/api/v1/claims/{Budget}/claimreview", Ct));

        Assert.True(JsonNode.DeepEquals(api, shown), $"The page's JSON-LD {shown?.ToJsonString()} differs from the API's {api?.ToJsonString()}.");
        Assert.Equal("ClaimReview", shown!["@type"]!.GetValue<string>());
        Assert.Equal(3, shown["reviewRating"]!["ratingValue"]!.GetValue<int>());
        // A data block: nothing of it ran, and no other script is on the page.
        Assert.Equal(1, await session.Page.EvaluateExpressionAsync<int>("document.scripts.length"));
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task AxeFindsNoSeriousOrCriticalViolationsOnTheBudgetClaimPage()
    {
        await using var session = await PageSession.OpenAsync(host, $"/claims/{Budget}", TestContext.Current.CancellationToken);
        // Evaluated through the DevTools protocol, which the page's CSP (no script at all) does not govern.
        await session.Page.EvaluateExpressionAsync<bool>(new BundledAxeScriptProvider().GetScript() + "\n;true");

        var json = await session.Page.EvaluateFunctionAsync<string>("""
            async () => {
              const results = await axe.run(document);
              return JSON.stringify({
                passes: results.passes.length,
                violations: results.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })),
              });
            }
            """);
        var report = JsonSerializer.Deserialize<AxeReport>(json, JsonSerializerOptions.Web)!;

        Assert.True(report.Passes > 10, $"axe-core checked too little to trust: {json}");
        var serious = report.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, "axe-core found: " + string.Join("; ",
            serious.Select(v => $"{v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes)}")));
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task TheDashboardsRowLeadsToTheClaimPage()
    {
        await using var session = await PageSession.OpenAsync(host, "/", TestContext.Current.CancellationToken);
        await session.WaitForAsync("() => document.getElementById('claims-section').dataset.state === 'ready'", "the claims table");
        var href = await session.Page.EvaluateFunctionAsync<string>(
            "slug => document.querySelector(`#claims tr.claim-row[data-slug=\"${slug}\"] td.statement a`).getAttribute('href')", Budget);
        Assert.Equal($"/claims/{Budget}", href);

        await Task.WhenAll(
            session.Page.WaitForNavigationAsync(new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load] }),
            session.Page.ClickAsync($"#claims tr.claim-row[data-slug=\"{Budget}\"] td.statement a"));

        Assert.Equal($"/claims/{Budget}", new Uri(session.Page.Url).AbsolutePath);
        Assert.Contains("$12 billion", await TextAsync(session.Page, "h1"));
        session.AssertNoConsoleErrors();
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("selector => document.querySelector(selector)?.textContent.trim() ?? ''", selector);

    private sealed record ShownQuote(string AppearanceId, string[] Marks, string Quote, string Anchor);

    private sealed record AxeReport(int Passes, AxeViolation[] Violations);

    private sealed record AxeViolation(string Id, string? Impact, string Help, string[] Nodes);
}
