using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// A receiver of events: where they go, which ones, optionally only those about one entity or landing on one status, and
/// the secret they are signed with. After a rotation the previous secret also signs until it expires.
/// </summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Url { get; set; }
    public required string[] Events { get; set; }
    /// <summary>The filter's subject as the admin wrote it (id or slug), shown back; <see cref="FilterSubjectId"/> is what matches.</summary>
    public string? FilterSubject { get; set; }
    public Guid? FilterSubjectId { get; set; }
    public Entity? FilterSubjectEntity { get; set; }
    public ClaimStatus? FilterStatus { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>Why the API disabled it (a receiver's 410); null when enabled or disabled by an admin.</summary>
    public string? DisabledReason { get; set; }
    public required string Secret { get; set; }
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    /// <summary>
    /// The status chain's last `seq` when it began to want `claim.status_changed` (created, enabled, or the event added): the
    /// worker's fan-out sends it only later changes. Left 0, the database fills it in (<see cref="WebhookStatusFanOut.HeadFunction"/>).
    /// </summary>
    public long StatusChangesAfter { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.Property(s => s.Url).HasMaxLength(Limits.Url);
        builder.Property(s => s.FilterSubject).HasMaxLength(Limits.Slug);
        builder.HasOne(s => s.FilterSubjectEntity).WithMany().HasForeignKey(s => s.FilterSubjectId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(s => s.Description).HasMaxLength(Limits.Title);
        builder.Property(s => s.DisabledReason).HasMaxLength(500);
        builder.Property(s => s.Secret).HasMaxLength(100);
        builder.Property(s => s.PreviousSecret).HasMaxLength(100);
        builder.HasWordCheck<WebhookSubscription, ClaimStatus>("filter_status");
        builder.HasIndex(s => s.CreatedAt);
        // Any insert, the API's or a script's, starts at the chain's head: a new subscription never gets old changes.
        builder.Property(s => s.StatusChangesAfter).HasDefaultValueSql(WebhookStatusFanOut.HeadFunction + "()");
    }
}
