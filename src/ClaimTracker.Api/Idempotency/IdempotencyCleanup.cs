using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Idempotency;

/// <summary>Deletes expired idempotency records hourly (expired ones are also ignored when met).</summary>
internal sealed class IdempotencyCleanup(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
                var now = clock.GetUtcNow();
                var deleted = await db.Set<IdempotencyRecord>().Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(stoppingToken);
                if (deleted > 0) logger.LogInformation("Deleted {Count} expired idempotency records.", deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not delete expired idempotency records; will retry in an hour.");
            }
        }
    }
}

public static class IdempotencySetup
{
    public static void AddClaimTrackerIdempotency(this IHostApplicationBuilder builder) =>
        builder.Services.AddHostedService<IdempotencyCleanup>();

    public static void UseClaimTrackerIdempotency(this WebApplication app) => app.UseMiddleware<IdempotencyMiddleware>();
}
