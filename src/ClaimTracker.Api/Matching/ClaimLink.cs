using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Matching;

/// <summary>
/// What a desk knows of two claims: <see cref="Claim"/> is a `duplicate` of <see cref="Other"/> (the one tracked first), or
/// `related` to it; `suggested` by the matcher when the claim was recorded, or `confirmed` / `rejected` by an editor, who
/// and when. One link per pair of claims, whichever way round.
/// </summary>
public sealed class ClaimLink
{
    public Guid ClaimId { get; set; }
    public Claim Claim { get; set; } = null!;
    public Guid OtherId { get; set; }
    public Claim Other { get; set; } = null!;
    public LinkRelation Relation { get; set; }
    public LinkState State { get; set; }
    /// <summary>The matcher's score when it suggested the link; null for one an editor made.</summary>
    public double? Score { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

public enum LinkRelation { Duplicate, Related }

public enum LinkState { Suggested, Confirmed, Rejected }

internal sealed class ClaimLinkConfiguration : IEntityTypeConfiguration<ClaimLink>
{
    public void Configure(EntityTypeBuilder<ClaimLink> builder)
    {
        builder.HasKey(l => new { l.ClaimId, l.OtherId });
        builder.HasOne(l => l.Claim).WithMany(c => c.Links).HasForeignKey(l => l.ClaimId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(l => l.Other).WithMany().HasForeignKey(l => l.OtherId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => l.OtherId);
        builder.Property(l => l.DecidedBy).HasMaxLength(Limits.Name);
        builder.HasWordCheck<ClaimLink, LinkRelation>("relation");
        builder.HasWordCheck<ClaimLink, LinkState>("state");
        builder.ToTable(t => t.HasCheckConstraint("ck_claim_links_not_self", "claim_id <> other_id"));
    }
}
