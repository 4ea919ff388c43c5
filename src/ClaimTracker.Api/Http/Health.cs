using ClaimTracker.Api.Data;
using ClaimTracker.Api.Replicas;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Http;

/// <summary>Liveness (the process answers) and readiness (the database answers).</summary>
public static class Health
{
    private const string ReadyTag = "ready";

    public static void AddClaimTrackerHealth(this IHostApplicationBuilder builder) =>
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            // Degraded, never unhealthy: the primary serves every read a replica cannot, so the instance stays ready.
            .AddCheck<ReplicaHealthCheck>("replicas", tags: [ReadyTag]);

    public static void MapClaimTrackerHealth(this IEndpointRouteBuilder app)
    {
        // Probes ask every few seconds: no request log line for them (it would bury the requests people make).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").WithSummary("Liveness: the process is up.").WithHttpLogging(Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) })
            .WithTags("Health").WithSummary("Readiness: the database answers (a replica down or lagging only degrades it).").WithHttpLogging(Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None);
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

    /// <summary>What the replica monitor last saw: healthy when every replica is in use, degraded when one is skipped.</summary>
    private sealed class ReplicaHealthCheck(ReplicaSet replicas, IOptions<DatabaseOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!replicas.Enabled) return Task.FromResult(HealthCheckResult.Healthy("No replica configured: every read goes to the primary."));
            var maxLag = TimeSpan.FromSeconds(options.Value.MaxReplicaLagSeconds);
            var skipped = replicas.Replicas
                .Select(r => (r.Name, Problem: r.State switch
                {
                    { Usable: false, Problem: var problem } => problem,
                    { Lag: null } => "lag not known yet",
                    { Lag: { } lag } when lag > maxLag => $"{lag.TotalSeconds:0.#} s behind the primary",
                    _ => null,
                }))
                .Where(r => r.Problem is not null)
                .Select(r => $"{r.Name}: {r.Problem}")
                .ToList();
            return Task.FromResult(skipped.Count == 0
                ? HealthCheckResult.Healthy($"{replicas.Replicas.Count} replica(s) in use.")
                : HealthCheckResult.Degraded($"Skipped, reads go to the primary or another replica: {string.Join("; ", skipped)}."));
        }
    }
}
