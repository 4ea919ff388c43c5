using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Auth;

public sealed class BootstrapAdminApp : ClaimTrackerApp
{
    public const string Key = "bootstrap-admin-key-for-tests-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:BootstrapAdminKey", Key);
    }
}

public sealed class BootstrapAdminKeyTests(BootstrapAdminApp app) : IClassFixture<BootstrapAdminApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfiguredBootstrapKeyIsAnAdminKeyStoredOnlyAsItsHash()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", BootstrapAdminApp.Key);

        using var response = await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "desk", role = "editor" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = app.CreateDbContext();
        var bootstrap = await db.ApiKeys.SingleAsync(k => k.Name == "bootstrap-admin", Ct);
        Assert.Equal(Api.Auth.Role.Admin, bootstrap.Role);
        Assert.Equal(Api.Auth.ApiKeyTokens.Hash(BootstrapAdminApp.Key), bootstrap.Hash);
        Assert.False(await db.ApiKeys.AnyAsync(k => k.Hash == BootstrapAdminApp.Key, Ct));
    }

    [Fact]
    public async Task RestartingWithTheSameBootstrapKeyAddsNoSecondKey()
    {
        await using (var again = new ClaimTrackerAppOn(app.ConnectionString))
        {
            await again.InitializeAsync();
        }

        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.Name == "bootstrap-admin", Ct));
    }

    /// <summary>A second start of the API on the same database, with the same bootstrap key.</summary>
    private sealed class ClaimTrackerAppOn(string connectionString) : ClaimTrackerApp(connectionString)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Auth:BootstrapAdminKey", BootstrapAdminApp.Key);
        }
    }
}
