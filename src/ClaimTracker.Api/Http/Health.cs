using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClaimTracker.Api.Http;

/// <summary>Liveness (the process answers) and readiness (the database answers).</summary>
public static class Health
{
    private const string ReadyTag = "ready";

    public static void AddClaimTrackerHealth(this IHostApplicationBuilder builder) =>
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);

    public static void MapClaimTrackerHealth(this IEndpointRouteBuilder app)
    {
        // Probes ask every few seconds: no request log line for them (it would bury the requests people make).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").WithSummary("Liveness: the process is up.").WithHttpLogging(Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) })
            .WithTags("Health").WithSummary("Readiness: the database answers.").WithHttpLogging(Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None);
    }

    private sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.");
            }
        }
    }
}
