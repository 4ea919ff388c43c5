using Microsoft.Extensions.DependencyInjection;
using ClaimTracker.Api.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>The real API in this process, on a benchmark database: to capture its SQL and, in smoke mode, to load it.</summary>
public sealed class InProcessApi(string connectionString, bool guardOnCreate = true) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The API needs no files of its own here; the default guess (a folder beside the solution) does not exist.
        builder.UseContentRoot(AppContext.BaseDirectory);
        // The request runs in the caller's execution context, so that SqlCapture tells its commands from background work.
        builder.ConfigureServices(services => services.Configure<Microsoft.AspNetCore.TestHost.TestServerOptions>(o => o.PreserveExecutionContext = true));
        builder.UseEnvironment("Production");
        builder.UseSetting($"ConnectionStrings:{DatabaseSetup.ConnectionStringName}", connectionString);
        builder.UseSetting("Seed:Enabled", "false");
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("Matching:GuardOnCreate", guardOnCreate ? "true" : "false");
        builder.UseSetting("Webhooks:AllowHttp", "true"); // status-webhooks' receiver: http on loopback
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting($"Logging:LogLevel:{Api.Http.ClaimTrackerLogging.RequestCategory}", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
    }
}
