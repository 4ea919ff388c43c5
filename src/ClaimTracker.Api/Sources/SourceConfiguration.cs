using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Sources;

internal sealed class SourceConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> builder)
    {
        builder.Property(s => s.Title).HasMaxLength(Limits.Title);
        builder.Property(s => s.Url).HasMaxLength(Limits.Url);
        builder.HasIndex(s => s.Url).IsUnique();
        builder.Property(s => s.Publisher).HasMaxLength(Limits.Name);
        builder.Property(s => s.Author).HasMaxLength(Limits.Name);
        builder.Property(s => s.Language).HasMaxLength(35);
        builder.Property(s => s.Content).HasMaxLength(Limits.Content);
        builder.Property(s => s.ContentSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(s => s.Version).IsRowVersion();
        builder.HasWordCheck<Source, SourceKind>("kind");
        builder.HasWordCheck<Source, SourceReliability>("reliability");
        builder.HasIndex(s => new { s.CreatedAt, s.Id }).IsDescending(true, true);
        builder.HasMany(s => s.Revisions).WithOne().HasForeignKey(r => r.SourceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SourceRevisionConfiguration : IEntityTypeConfiguration<SourceRevision>
{
    public void Configure(EntityTypeBuilder<SourceRevision> builder)
    {
        builder.HasKey(r => new { r.SourceId, r.Revision });
        builder.Property(r => r.Content).HasMaxLength(Limits.Content);
        builder.Property(r => r.ContentSha256).HasMaxLength(64).IsFixedLength();
    }
}
