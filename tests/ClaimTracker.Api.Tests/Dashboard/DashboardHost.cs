using System.Net;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace ClaimTracker.Api.Tests.Dashboard;

/// <summary>
/// The API on a real loopback port, so that a browser can load the dashboard, over the class's own seeded database,
/// and one headless Chromium for the class. The in-memory test server of <see cref="ClaimTrackerApp"/> stays up beside
/// it on the same database, for the helpers that use it.
/// </summary>
public sealed class DashboardHost : ClaimTrackerApp
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private WebApplicationFactory<Program>? _kestrel;
    private IBrowser? _browser;

    /// <summary>Where the Kestrel-hosted API listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not initialised.");

    public override async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The dashboard tests drive Chromium at {ChromiumPath}, which is not installed. Install it with " +
                "`apt-get install chromium` (.ci/run does so when it is missing).");
        }
        await base.InitializeAsync();

        // .NET 10's WebApplicationFactory can host on Kestrel; port 0 on 127.0.0.1 picks a free port.
        _kestrel = WithWebHostBuilder(_ => { });
        _kestrel.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _kestrel.StartServer();
        var addresses = _kestrel.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.Single());

        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumPath, // never a downloaded browser
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 900 },
            Timeout = 30_000,
            ProtocolTimeout = 30_000,
        });
    }

    /// <summary>An editor's key on this app's database, for writes through the Kestrel-hosted API.</summary>
    public async Task<HttpClient> CreateKestrelClientAsync(Role role)
    {
        await using var db = CreateDbContext();
        var (key, secret) = ApiKeysApi.NewKey($"dashboard-{Guid.NewGuid():N}"[..20], role, DateTimeOffset.UtcNow);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            // Closing the browser also closes its change streams, so the server can stop at once.
            try
            {
                await _browser.CloseAsync().WaitAsync(CloseTimeout);
            }
            catch (TimeoutException)
            {
                _browser.Process?.Kill(entireProcessTree: true);
            }
            await _browser.DisposeAsync();
        }
        // Disposes the Kestrel-hosted factory too: WithWebHostBuilder's factories belong to this one.
        await base.DisposeAsync();
    }
}
