using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using PuppeteerSharp;

namespace ClaimTracker.Api.Tests.Dashboard;

/// <summary>
/// The dashboard at `/` in headless Chromium, against the API on a real port. Every wait is bounded: a page that never
/// gets there fails the test with what it shows instead.
/// </summary>
public sealed class DashboardBrowserTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private const int WaitMilliseconds = PageSession.WaitMilliseconds;
    private const int TestTimeoutMilliseconds = 90_000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task PageLoadsWithoutConsoleErrorsAndShowsTheSeededCounts()
    {
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);

        await session.WaitForAsync("() => document.getElementById('status-section').dataset.state === 'ready'", "the status chart");
        var shown = await ChartCountsAsync(session.Page);

        await using var db = host.CreateDbContext();
        var stored = await db.Claims.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct);
        foreach (var status in Enum.GetValues<ClaimStatus>())
        {
            var word = EnumWords.ToWord(status);
            Assert.True(shown.ContainsKey(word), $"The chart has no bar for '{word}'.");
            Assert.Equal(stored.SingleOrDefault(s => s.Key == status)?.Count ?? 0, shown[word]);
        }
        // The seeded story; no test in this class changes these two.
        Assert.Equal(5, shown["disputed"]);
        Assert.Equal(7, shown["confirmed"]);
        var total = await session.Page.EvaluateExpressionAsync<string>("document.getElementById('status-total').textContent");
        Assert.StartsWith($"{stored.Sum(s => s.Count)} claims", total);

        Assert.Equal(StoryData.ArticleTitle, await session.Page.EvaluateExpressionAsync<string>("document.querySelector('h1').textContent"));
        await session.WaitForAsync("() => ['timeline-section', 'claims-section'].every(id => document.getElementById(id).dataset.state === 'ready')",
            "the timeline and the claims table");
        await session.WaitForAsync("() => document.getElementById('live').dataset.state === 'live'", "the live stream to connect");
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task TimelineListsTheTikTokEventsInDateOrder()
    {
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);

        await session.WaitForAsync("() => document.getElementById('timeline-section').dataset.state === 'ready'", "the timeline");
        var events = await session.Page.EvaluateFunctionAsync<TimelineEntry[]>("""
            () => [...document.querySelectorAll('#timeline li.event')].map(li => ({
              slug: li.dataset.slug,
              date: li.querySelector('.event-date time')?.getAttribute('datetime') ?? null,
              status: li.querySelector('.badge')?.dataset.status ?? null,
            }))
            """);

        var slugs = events.Select(e => e.Slug).ToList();
        string[] tiktok = ["us-law-tiktok-sell-or-ban", "tiktok-banned-in-us", "tiktok-restored-after-trump-order"];
        Assert.All(tiktok, slug => Assert.Contains(slug, slugs));
        Assert.True(slugs.IndexOf("tiktok-restored-after-trump-order") > slugs.IndexOf("tiktok-banned-in-us"),
            $"The restoration (20 January) should come after the ban (19 January): {string.Join(", ", slugs)}");
        Assert.True(slugs.IndexOf("tiktok-restored-after-trump-order") > slugs.IndexOf("us-law-tiktok-sell-or-ban"));
        var dates = events.Where(e => e.Date is not null).Select(e => DateOnly.Parse(e.Date!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(dates.Order(), dates);
        Assert.Equal(new DateOnly(2025, 1, 19), dates[slugs.IndexOf("tiktok-banned-in-us")]);
        Assert.Equal(new DateOnly(2025, 1, 20), dates[slugs.IndexOf("tiktok-restored-after-trump-order")]);
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Status), $"{e.Slug} shows no status."));
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task SearchBoxAndStatusFilterNarrowTheClaimsTable()
    {
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);
        await using var db = host.CreateDbContext();
        var claims = await db.Claims.CountAsync(Ct);

        await session.WaitForAsync("() => document.getElementById('claims-section').dataset.state === 'ready'", "the claims table");
        Assert.Equal(Math.Min(claims, 25), (await TableRowsAsync(session.Page)).Length);

        // The box sends `q` (best matches first); the table shows what the API answers for it.
        await session.Page.TypeAsync("#search", "Cambricon");
        var expected = (await host.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?q=Cambricon&sort=relevance&limit=25"))
            .Items.Select(c => c.Slug).ToArray();
        await session.WaitForAsync("""
            expected => new URLSearchParams(location.search).get('q') === 'Cambricon'
              && ['ready', 'empty'].includes(document.getElementById('claims-section').dataset.state)
              && [...document.querySelectorAll('#claims tbody tr.claim-row')].map(tr => tr.dataset.slug).join() === expected.join()
            """, $"the table to show the search results ({string.Join(", ", expected)})", [expected]);
        Assert.Contains(session.Requests, url => url.AbsolutePath == "/api/v1/claims" && url.Query.Contains("q=Cambricon", StringComparison.Ordinal));
        Assert.Contains("q=Cambricon", await session.Page.EvaluateExpressionAsync<string>("location.search"));
        Assert.Contains("bytedance-ai-chips-domestic-2025", expected);
        Assert.True(expected.Length < claims, $"A search for Cambricon should narrow the {claims} claims: {string.Join(", ", expected)}");

        // The status filter, with the box cleared.
        await session.Page.EvaluateExpressionAsync("document.getElementById('search').value = ''");
        await session.Page.SelectAsync("#status-filter", "disputed");
        var disputed = await db.Claims.CountAsync(c => c.Status == ClaimStatus.Disputed, Ct);
        await session.WaitForAsync("""
            count => {
              const rows = [...document.querySelectorAll('#claims tbody tr.claim-row')];
              return document.getElementById('claims-section').dataset.state === 'ready'
                && rows.length === count && rows.every(tr => tr.dataset.status === 'disputed');
            }
            """, $"the table to show the {disputed} disputed claims", [disputed]);
        Assert.Equal("?status=disputed", await session.Page.EvaluateExpressionAsync<string>("location.search"));
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task ASearchTheApiRefusesSaysWhyInsteadOfUnavailable()
    {
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);
        await session.WaitForAsync("() => document.getElementById('claims-section').dataset.state === 'ready'", "the claims table");

        await session.Page.TypeAsync("#search", "-ban"); // only an exclusion: the API answers 400 naming q
        await session.WaitForAsync("() => document.getElementById('claims-section').dataset.state === 'problem'", "the search problem");

        var message = await session.Page.EvaluateExpressionAsync<string>("document.getElementById('claims-problem').textContent");
        Assert.StartsWith("Search: ", message);
        Assert.Contains("add a word", message);
        Assert.Empty(await TableRowsAsync(session.Page));
        // The browser reports the 400 itself; the page adds no error of its own.
        session.AssertNoConsoleErrors(except: url => url.AbsolutePath == "/api/v1/claims");
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task ARowsDetailsShowTheStatusReasonAndTheQuotes()
    {
        const string slug = "bytedance-ai-chips-domestic-2025";
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);
        await using var db = host.CreateDbContext();
        var claim = await db.Claims.Include(c => c.Appearances).SingleAsync(c => c.Slug == slug, Ct);

        await session.WaitForAsync("() => document.getElementById('claims-section').dataset.state === 'ready'", "the claims table");
        await session.Page.ClickAsync($"#claims tr.claim-row[data-slug=\"{slug}\"] .details-toggle");
        await session.WaitForAsync("id => !!document.querySelector(`#details-${id} .details`)", "the details", [claim.Id.ToString()]);

        var details = await session.Page.EvaluateFunctionAsync<string>("id => document.getElementById(`details-${id}`).innerText", claim.Id.ToString());
        Assert.Contains(claim.StatusReason!, details);
        Assert.All(claim.Appearances, a => Assert.Contains(a.Quote.Exact, details));
        Assert.DoesNotContain("[object", details);
        Assert.Equal("true", await session.Page.EvaluateFunctionAsync<string>(
            "slug => document.querySelector(`#claims tr.claim-row[data-slug=\"${slug}\"] .details-toggle`).getAttribute('aria-expanded')", slug));
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task PageUpdatesLiveWhenAStatusChangesThroughTheApi()
    {
        const string slug = "bytedance-no-comment-budget"; // seeded as in_review
        await using var session = await OpenAsync(TestContext.Current.CancellationToken);
        await session.WaitForAsync("() => document.getElementById('live').dataset.state === 'live'", "the live stream to connect");
        await session.WaitForAsync("slug => !!document.querySelector(`#claims tr.claim-row[data-slug=\"${slug}\"]`)", "the claim's row", [slug]);
        var before = await ChartCountsAsync(session.Page);
        Assert.True(before["in_review"] >= 1, "The seeded claim is in review.");

        // An editor moves the claim from in_review to inconclusive, through the same server the page reads.
        using var editor = await host.CreateKestrelClientAsync(Role.Editor);
        using var current = await editor.GetAsync($"/api/v1/claims/{slug}", Ct);
        var claim = (await current.Content.ReadFromJsonAsync<ClaimResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(ClaimStatus.InReview, claim.Status);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
        {
            Content = JsonContent.Create(new { status = "inconclusive", reason = "No one could say who asked for comment, or when." }),
        };
        put.Headers.IfMatch.Add(current.Headers.ETag ?? throw new InvalidOperationException("No ETag."));
        using var changed = await editor.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        await session.WaitForAsync("""
            (inReview, inconclusive) => {
              const count = status => Number(document.querySelector(`#status-chart li[data-status="${status}"]`)?.dataset.count);
              return count('in_review') === inReview && count('inconclusive') === inconclusive;
            }
            """, "the chart to count the change", [before["in_review"] - 1, before["inconclusive"] + 1]);
        await session.WaitForAsync("slug => document.querySelector(`#claims tr.claim-row[data-slug=\"${slug}\"]`)?.dataset.status === 'inconclusive'",
            "the claim's row to show its new status", [slug]);
        await session.WaitForAsync("id => document.getElementById('latest-change').dataset.claimId === id", "the latest change", [claim.Id.ToString()]);
        var latest = await session.Page.EvaluateExpressionAsync<string>("document.getElementById('latest-change').textContent");
        Assert.Contains(claim.Statement, latest);
        Assert.Contains("Inconclusive", latest);
        session.AssertNoConsoleErrors();
    }

    [Fact(Timeout = TestTimeoutMilliseconds)]
    public async Task PageSaysUnavailableWithoutErrorsWhenStatsAndTheStreamAreMissing()
    {
        // As before those endpoints existed, or behind a proxy that drops them: both answer 404.
        string[] missing = ["/api/v1/stats", "/api/v1/changes/stream"];
        await using var session = await OpenAsync(TestContext.Current.CancellationToken, page =>
        {
            page.Request += async (_, e) =>
            {
                try
                {
                    if (missing.Contains(new Uri(e.Request.Url).AbsolutePath))
                    {
                        await e.Request.RespondAsync(new ResponseData
                        {
                            Status = HttpStatusCode.NotFound, ContentType = "application/problem+json",
                            Body = """{"type":"about:blank","title":"Not Found","status":404}""",
                        });
                    }
                    else
                    {
                        await e.Request.ContinueAsync();
                    }
                }
                catch (PuppeteerException)
                {
                    // The page closed while a request was held.
                }
            };
            return page.SetRequestInterceptionAsync(true);
        });

        await session.WaitForAsync("() => document.getElementById('status-section').dataset.state === 'unavailable'", "the chart to say unavailable");
        await session.WaitForAsync("() => document.getElementById('live').dataset.state === 'unavailable'", "the live indicator to say unavailable");
        await session.WaitForAsync("() => ['timeline-section', 'claims-section'].every(id => document.getElementById(id).dataset.state === 'ready')",
            "the timeline and the table, which do not need them");
        Assert.True(await session.Page.EvaluateExpressionAsync<bool>(
            "getComputedStyle(document.querySelector('#status-section .message[data-for=\"unavailable\"]')).display !== 'none'"));
        Assert.Equal("Live updates unavailable", await session.Page.EvaluateExpressionAsync<string>("document.getElementById('live-label').textContent"));
        // The browser itself reports each failed load; the page adds no error of its own.
        session.AssertNoConsoleErrors(except: url => missing.Contains(url.AbsolutePath));
    }

    private sealed record TimelineEntry(string Slug, string? Date, string? Status);

    private sealed record TableRow(string Slug, string Status);

    private static async Task<Dictionary<string, int>> ChartCountsAsync(IPage page) =>
        await page.EvaluateFunctionAsync<Dictionary<string, int>>(
            "() => Object.fromEntries([...document.querySelectorAll('#status-chart li')].map(li => [li.dataset.status, Number(li.dataset.count)]))");

    private static async Task<TableRow[]> TableRowsAsync(IPage page) =>
        await page.EvaluateFunctionAsync<TableRow[]>(
            "() => [...document.querySelectorAll('#claims tbody tr.claim-row')].map(tr => ({ slug: tr.dataset.slug, status: tr.dataset.status }))");

    [Fact]
    public async Task APageOnAnotherOriginReadsTheApiButCannotWriteToIt()
    {
        // The same server named otherwise is another origin to the browser: a document of http://localhost:P (the health
        // probe's text: the dashboard's own page allows connections to its origin only) calling http://127.0.0.1:P.
        var api = host.BaseAddress.ToString().TrimEnd('/');
        var other = new UriBuilder(host.BaseAddress) { Host = "localhost", Path = "/health/live" }.Uri;
        var context = await host.Browser.CreateBrowserContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            await page.GoToAsync(other.ToString(), new NavigationOptions { Timeout = WaitMilliseconds, WaitUntil = [WaitUntilNavigation.Load] });
            Assert.Equal(other.GetLeftPart(UriPartial.Authority), await page.EvaluateExpressionAsync<string>("location.origin"));

            // A read with a key header (so a preflight first) reaches the API, and the page may read its answer.
            var read = await page.EvaluateFunctionAsync<string>("""
                async api => {
                  const r = await fetch(api + '/api/v1/claims/bytedance-ai-chips-budget-2025', { headers: { 'X-Api-Key': 'not-a-key-of-this-api' } });
                  return r.status + ' ' + r.headers.get('Content-Type');
                }
                """, api);
            Assert.Equal("401 application/problem+json", read); // the API's answer (an unknown key), readable by the page // an unknown key: refused by the API, readable by the page
            var anonymous = await page.EvaluateFunctionAsync<string>("""
                async api => { const r = await fetch(api + '/api/v1/claims/bytedance-ai-chips-budget-2025'); return r.status + ' ' + (r.headers.get('ETag') ? 'etag' : 'no-etag'); }
                """, api);
            Assert.Equal("200 etag", anonymous);

            // A write from this origin is stopped by the browser at the preflight: fetch fails, nothing is sent.
            var write = await page.EvaluateFunctionAsync<string>("""
                async api => {
                  try {
                    const r = await fetch(api + '/api/v1/claims', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k' }, body: '{}' });
                    return 'sent ' + r.status;
                  } catch (e) { return 'blocked ' + e.name; }
                }
                """, api);
            Assert.Equal("blocked TypeError", write);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Opens the dashboard in a fresh browser context (<see cref="PageSession.OpenAsync"/>).</summary>
    private Task<PageSession> OpenAsync(CancellationToken cancellationToken, Func<IPage, Task>? arrange = null) =>
        PageSession.OpenAsync(host, "/", cancellationToken, arrange);
}
