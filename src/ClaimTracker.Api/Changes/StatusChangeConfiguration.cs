using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Changes;

internal sealed class StatusChangeConfiguration : IEntityTypeConfiguration<StatusChange>
{
    public void Configure(EntityTypeBuilder<StatusChange> builder)
    {
        builder.HasKey(c => c.Seq);
        builder.Property(c => c.Seq).ValueGeneratedNever();
        builder.Property(c => c.Reason).HasMaxLength(Limits.Reason);
        builder.Property(c => c.Actor).HasMaxLength(Limits.Name);
        builder.Property(c => c.PrevHash).HasMaxLength(64).IsFixedLength();
        builder.Property(c => c.Hash).HasMaxLength(64).IsFixedLength();
        builder.HasOne<Claim>().WithMany().HasForeignKey(c => c.ClaimId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.ClaimId, c.Seq });
        // "from" and "to" are SQL keywords.
        builder.Property(c => c.From).HasColumnName("from_status");
        builder.Property(c => c.To).HasColumnName("to_status");
        builder.HasWordCheck<StatusChange, ClaimStatus>("from_status");
        builder.HasWordCheck<StatusChange, ClaimStatus>("to_status");
    }
}
