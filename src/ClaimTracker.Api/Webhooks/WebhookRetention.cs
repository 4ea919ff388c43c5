using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// Keeps the outbox from growing for ever: events older than `Webhooks:Retention` go, with their deliveries and attempts
/// (the delete triggers cascade: migration WebhookRowsCascadeByTrigger), once none of their deliveries is pending. A pending delivery keeps its event whatever its
/// age, so nothing is ever lost to the prune; a failed or delivered one stays visible (and redeliverable) until then.
/// </summary>
public static class WebhookRetention
{
    /// <summary>Events deleted per statement: short transactions, short locks, whatever the backlog.</summary>
    public const int Batch = 1000;

    /// <summary>Deletes the events created before <paramref name="before"/> with nothing pending; returns how many went.</summary>
    public static async Task<int> PruneAsync(ClaimTrackerDbContext db, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var deleted = await db.Database.ExecuteSqlAsync($"""
                DELETE FROM webhook_events WHERE id IN (
                    SELECT e.id FROM webhook_events e
                    WHERE e.created_at < {before}
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
                    ORDER BY e.created_at
                    LIMIT {Batch})
                """, cancellationToken);
            total += deleted;
            if (deleted < Batch) return total;
        }
    }
}
