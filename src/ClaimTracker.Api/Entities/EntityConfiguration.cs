using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Entities;

internal sealed class EntityConfiguration : IEntityTypeConfiguration<Entity>
{
    public void Configure(EntityTypeBuilder<Entity> builder)
    {
        builder.Property(e => e.Slug).HasMaxLength(Limits.Slug);
        builder.HasIndex(e => e.Slug).IsUnique();
        builder.Property(e => e.Name).HasMaxLength(Limits.Name);
        builder.Property(e => e.Description).HasMaxLength(Limits.Description);
        builder.HasWordCheck<Entity, EntityKind>("kind");
        builder.HasIndex(e => e.Aliases).HasMethod("gin");
    }
}
