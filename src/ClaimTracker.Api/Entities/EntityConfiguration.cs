using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Entities;

internal sealed class EntityConfiguration : IEntityTypeConfiguration<Entity>
{
    public const string NameWords = "NameWords";

    public void Configure(EntityTypeBuilder<Entity> builder)
    {
        builder.Property(e => e.Slug).HasMaxLength(Limits.Slug);
        builder.HasIndex(e => e.Slug).IsUnique();
        builder.Property(e => e.Name).HasMaxLength(Limits.Name);
        builder.Property(e => e.Description).HasMaxLength(Limits.Description);
        builder.HasWordCheck<Entity, EntityKind>("kind");
        builder.HasIndex(e => e.Aliases).HasMethod("gin");
        // The name and aliases folded (lower case, no accents), for the matcher's look-up of the names a text mentions: a
        // trigram index answers its word-start regular expression (docs/decisions/012-claim-matching.md).
        builder.Property<string>(NameWords).HasComputedColumnSql("claimtracker_entity_words(name, aliases)", stored: true);
        builder.HasIndex(NameWords).HasMethod("gin").HasOperators("gin_trgm_ops");
    }
}
