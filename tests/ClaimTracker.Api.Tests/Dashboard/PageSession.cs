using System.Collections.Concurrent;
using PuppeteerSharp;

namespace ClaimTracker.Api.Tests.Dashboard;

/// <summary>
/// A page of the Kestrel-hosted API in headless Chromium (<see cref="DashboardHost"/>), for the dashboard's and the
/// claim page's tests. Every wait is bounded: a page that never gets there fails the test with what it shows instead.
/// </summary>
internal sealed class PageSession : IAsyncDisposable
{
    public const int WaitMilliseconds = 15_000;

    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<(string Text, Uri? Url)> _errors = new();
    private readonly ConcurrentQueue<Uri> _requests = new();
    private readonly CancellationTokenRegistration _onTimeout;

    /// <summary>
    /// Opens <paramref name="path"/> of <paramref name="host"/> in a fresh browser context, recording console errors, page
    /// errors and requests. When the test times out (<paramref name="cancellationToken"/>), the context closes, which
    /// ends any wait on the page.
    /// </summary>
    public static async Task<PageSession> OpenAsync(DashboardHost host, string path, CancellationToken cancellationToken, Func<IPage, Task>? arrange = null)
    {
        var context = await host.Browser.CreateBrowserContextAsync();
        var session = new PageSession(context, await context.NewPageAsync(), cancellationToken);
        try
        {
            if (arrange is not null) await arrange(session.Page);
            await session.Page.GoToAsync(new Uri(host.BaseAddress, path).ToString(), new NavigationOptions
            {
                Timeout = WaitMilliseconds, WaitUntil = [WaitUntilNavigation.Load], CancellationToken = cancellationToken,
            });
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public PageSession(IBrowserContext context, IPage page, CancellationToken cancellationToken)
    {
        _context = context;
        _onTimeout = cancellationToken.Register(() => _ = context.CloseAsync());
        Page = page;
        page.DefaultTimeout = WaitMilliseconds;
        page.DefaultNavigationTimeout = WaitMilliseconds;
        page.Console += (_, e) =>
        {
            if (e.Message.Type != ConsoleType.Error) return;
            _errors.Enqueue((e.Message.Text, Uri.TryCreate(e.Message.Location?.URL, UriKind.Absolute, out var url) ? url : null));
        };
        page.PageError += (_, e) => _errors.Enqueue(($"uncaught: {e.Message}", null));
        page.Request += (_, e) => _requests.Enqueue(new Uri(e.Request.Url));
    }

    public IPage Page { get; }

    public IReadOnlyCollection<Uri> Requests => _requests;

    /// <summary>Waits, at most 15 s, for <paramref name="condition"/> (a JavaScript function) to hold in the page.</summary>
    public async Task WaitForAsync(string condition, string what, object[]? args = null)
    {
        try
        {
            await Page.WaitForFunctionAsync(condition, new WaitForFunctionOptions { Timeout = WaitMilliseconds, PollingInterval = 100 },
                args ?? []);
        }
        catch (WaitTaskTimeoutException)
        {
            var state = await Page.EvaluateFunctionAsync<string>("""
                () => [...document.querySelectorAll('[data-state]')].map(e => `${e.id}=${e.dataset.state}`).join(', ')
                  + ' | latest: ' + (document.getElementById('latest-change')?.textContent ?? '')
                """);
            Assert.Fail($"Waited {WaitMilliseconds / 1000} s for {what}. The page shows: {state}. Console errors: {Describe(_errors)}");
        }
    }

    /// <summary>Asserts that nothing was logged as an error, but the browser's reports of loads that <paramref name="except"/> expects to fail.</summary>
    public void AssertNoConsoleErrors(Func<Uri, bool>? except = null)
    {
        var errors = _errors.Where(e => except is null || e.Url is null || !except(e.Url)).ToList();
        Assert.True(errors.Count == 0, $"Console errors: {Describe(errors)}");
    }

    private static string Describe(IEnumerable<(string Text, Uri? Url)> errors) =>
        string.Join(" | ", errors.Select(e => e.Url is null ? e.Text : $"{e.Text} ({e.Url})")) is { Length: > 0 } text ? text : "none";

    public async ValueTask DisposeAsync()
    {
        await _onTimeout.DisposeAsync();
        // Closing the context closes the page and its change stream.
        if (!_context.IsClosed) await _context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
