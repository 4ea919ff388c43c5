using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Auth;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(Limits.Name);
        builder.Property(k => k.Hash).HasMaxLength(64).IsFixedLength();
        builder.HasIndex(k => k.Hash).IsUnique();
        builder.HasWordCheck<ApiKey, Role>("role");
        builder.HasIndex(k => new { k.CreatedAt, k.Id }).IsDescending(true, true);
    }
}
