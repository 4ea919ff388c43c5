using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Appearances;

internal sealed class AppearanceConfiguration : IEntityTypeConfiguration<Appearance>
{
    public void Configure(EntityTypeBuilder<Appearance> builder)
    {
        builder.HasWordCheck<Appearance, Stance>("stance");
        builder.HasWordCheck<Appearance, AnchorState>("quote_anchor");
        // An anchored quote always has its offsets; the slice itself is checked where the content is known.
        builder.ToTable(t => t.HasCheckConstraint("ck_appearances_anchored_offsets",
            "quote_anchor <> 'anchored' OR (quote_start IS NOT NULL AND quote_end >= quote_start)"));
        builder.HasOne(a => a.Claim).WithMany(c => c.Appearances).HasForeignKey(a => a.ClaimId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Source).WithMany().HasForeignKey(a => a.SourceId).OnDelete(DeleteBehavior.Restrict);
        builder.OwnsOne(a => a.Quote, q =>
        {
            q.Property(x => x.Exact).HasMaxLength(Limits.Quote);
            q.Property(x => x.Prefix).HasMaxLength(QuoteAnchoring.ContextLength);
            q.Property(x => x.Suffix).HasMaxLength(QuoteAnchoring.ContextLength);
        });
        builder.Navigation(a => a.Quote).IsRequired();
        builder.HasIndex(a => a.SourceId);
        builder.HasIndex(a => new { a.ClaimId, a.CreatedAt });
    }
}
