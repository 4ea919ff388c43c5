using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// The API in-process over real HTTP semantics, on its own PostgreSQL database. Use it as a class fixture
/// (<c>IClassFixture&lt;ClaimTrackerApp&gt;</c>): each test class gets a fresh clone of the seeded template.
/// </summary>
public class ClaimTrackerApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string? _connectionString;

    public ClaimTrackerApp()
    {
    }

    /// <summary>An app on an existing database (a second instance, or the template).</summary>
    protected internal ClaimTrackerApp(string connectionString) => _connectionString = connectionString;

    /// <summary>The JSON options of the API's contract, for reading responses.</summary>
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialised.");

    public virtual async ValueTask InitializeAsync()
    {
        _connectionString ??= await CreateDatabaseAsync();
        await StartAsync();
    }

    /// <summary>The database this app runs on: by default a fresh clone of the seeded template.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => PostgresServer.Current.CreateDatabaseAsync();

    /// <summary>Starts the host (migrations and seed run here, as in production).</summary>
    public Task StartAsync()
    {
        _ = Server;
        return Task.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting($"ConnectionStrings:{DatabaseSetup.ConnectionStringName}", ConnectionString);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting($"Logging:LogLevel:{ClaimTracker.Api.Http.ClaimTrackerLogging.RequestCategory}", "Warning"); // a line per request: noise here
    }

    /// <summary>A DbContext on this app's database, to arrange data and to assert what was (not) stored.</summary>
    public ClaimTrackerDbContext CreateDbContext() => CreateDbContext(ConnectionString);

    /// <summary>A DbContext on any test database (e.g. one an API process runs on), configured as the API's.</summary>
    public static ClaimTrackerDbContext CreateDbContext(string connectionString) =>
        new(new DbContextOptionsBuilder<ClaimTrackerDbContext>()
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .Options);

    private readonly Dictionary<Role, string> _keys = [];

    /// <summary>A client sending an API key of <paramref name="role"/> (one key per role and app, created on first use).</summary>
    public async Task<HttpClient> CreateClientAsync(Role role)
    {
        if (!_keys.TryGetValue(role, out var secret))
        {
            await using var db = CreateDbContext();
            (var key, secret) = ApiKeysApi.NewKey($"test-{EnumWords.ToWord(role)}", role, DateTimeOffset.UtcNow);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            _keys[role] = secret;
        }
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    /// <summary>GETs <paramref name="url"/>, asserts 200 and reads the body as <typeparamref name="T"/>.</summary>
    public async Task<T> GetJsonAsync<T>(string url)
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json, TestContext.Current.CancellationToken))!;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpSetup.Configure(options);
        // Tests read loosely: a response may carry fields a test's record does not name.
        options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return options;
    }
}
