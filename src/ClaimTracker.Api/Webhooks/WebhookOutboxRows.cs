using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// An event in the outbox, written in the transaction of the change it reports, or for a status change by the worker's
/// fan-out of the status chain after its commit (<see cref="WebhookStatusFanOut"/>). Inserting events fans them out (a
/// statement trigger, migration StatusChangesFannedOutAfterCommit) to one <see cref="WebhookDelivery"/> per enabled
/// subscription that wants each, in the same transaction. <see cref="Body"/> is the exact JSON that is signed and sent; its id is the `webhook-id`.
/// </summary>
public sealed class WebhookEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Type { get; set; }
    public required string Body { get; set; }
    /// <summary>The entities the event is about, for subscriptions' `filter.subject`.</summary>
    public Guid[] SubjectIds { get; set; } = [];
    /// <summary>The statuses (words) the event lands on, for subscriptions' `filter.status`.</summary>
    public string[] Statuses { get; set; } = [];
    /// <summary>Set for a ping: delivered to this subscription only, whatever its events and filter.</summary>
    public Guid? SubscriptionId { get; set; }
    /// <summary>For `claim.status_changed`: the change's `seq` in the status chain, at most one event each (the fan-out's key).</summary>
    public long? Seq { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum DeliveryState { Pending, Delivered, Failed }

/// <summary>
/// One event on its way to one subscription. A pending delivery is due at <see cref="NextAttemptAt"/>; a worker claiming it
/// moves that time past its lease, so that a worker that dies leaves it due again, to be sent by another.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid EventId { get; set; }
    public WebhookEvent Event { get; set; } = null!;
    public Guid SubscriptionId { get; set; }
    public DeliveryState State { get; set; }
    /// <summary>Failed attempts since it was queued (or redelivered): the index of the next delay in the retry schedule.</summary>
    public int Retries { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public List<WebhookAttempt> Attempts { get; set; } = [];
}

/// <summary>One HTTP request of a delivery and what came of it.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DeliveryId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    public string? Error { get; set; }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(e => e.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.CreatedAt); // the retention's prune
        // One event per status change, however many workers fan the chain out at once.
        builder.HasIndex(e => e.Seq).IsUnique().HasFilter("seq IS NOT NULL");
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        // In the database the event -> delivery and delivery -> attempt constraints are gone (their row-by-row checks were
        // half of what webhooks cost it) and statement triggers cascade deletes instead (migration WebhookRowsCascadeByTrigger,
        // docs/decisions/013-webhooks.md): the relationships stay here for navigation and joins.
        builder.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasWordCheck<WebhookDelivery, DeliveryState>("state");
        // The workers' claim reads the due pending deliveries only; the deliveries list reads a subscription's newest first.
        builder.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'pending'");
        builder.HasIndex(d => new { d.SubscriptionId, d.CreatedAt });
        // One delivery per event and subscription: the fan-out inserts with ON CONFLICT DO NOTHING.
        builder.HasIndex(d => new { d.EventId, d.SubscriptionId }).IsUnique();
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.HasIndex(a => a.DeliveryId);
    }
}
