using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ClaimTracker.Api.Data;

namespace ClaimTracker.Api.Claims;

internal sealed class ClaimConfiguration : IEntityTypeConfiguration<Claim>
{
    /// <summary>
    /// Statement in English and its Italian translation (weight A), every translation as-is (B); quotes in Italian and
    /// as-is (B, C); entity names, aliases and tags as-is (B). search_quotes and search_names are plain columns kept
    /// current by triggers, since a generated column can only read its own row.
    /// </summary>
    public const string SearchVectorSql =
        "setweight(to_tsvector('english'::regconfig, statement), 'A') || " +
        "setweight(to_tsvector('italian'::regconfig, coalesce(translations -> 'it', '')), 'A') || " +
        "setweight(jsonb_to_tsvector('simple'::regconfig, hstore_to_jsonb(translations), '[\"string\"]'), 'B') || " +
        "setweight(to_tsvector('italian'::regconfig, search_quotes), 'B') || " +
        "setweight(to_tsvector('simple'::regconfig, search_quotes), 'C') || " +
        "setweight(to_tsvector('simple'::regconfig, search_names), 'B')";

    public void Configure(EntityTypeBuilder<Claim> builder)
    {
        builder.Property(c => c.Slug).HasMaxLength(Limits.Slug);
        builder.HasIndex(c => c.Slug).IsUnique();
        builder.Property(c => c.Statement).HasMaxLength(Limits.Statement);
        // hstore: a flat text-to-text map PostgreSQL indexes and queries by key (`translations -> 'it'`).
        builder.Property(c => c.Translations).HasColumnType("hstore").HasDefaultValueSql("''::hstore");
        builder.Property(c => c.StatusReason).HasMaxLength(Limits.Reason);
        builder.Property(c => c.Version).IsRowVersion();
        builder.HasWordCheck<Claim, ClaimStatus>("status");
        builder.HasWordCheck<Claim, ClaimKind>("kind");
        builder.HasWordCheck<Claim, DatePrecision>("date_precision");

        builder.HasOne(c => c.Subject).WithMany().HasForeignKey(c => c.SubjectId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(c => c.Claimant).WithMany().HasForeignKey(c => c.ClaimantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(c => c.PartOf).WithMany(c => c.Parts).HasForeignKey(c => c.PartOfId).OnDelete(DeleteBehavior.Restrict);

        builder.OwnsOne(c => c.Quantity, q =>
        {
            // Unconstrained numeric keeps each amount's own scale: 12000000000 reads back as 12000000000, not 12000000000.0000.
            q.Property(x => x.Amount).HasColumnType("numeric");
            q.Property(x => x.LowerBound).HasColumnType("numeric");
            q.Property(x => x.UpperBound).HasColumnType("numeric");
            q.Property(x => x.Unit).HasMaxLength(32);
            q.Property(x => x.Period).HasMaxLength(64);
            q.Property(x => x.Scope).HasMaxLength(64);
        });

        // Keyset pagination: the list's sort orders, leading with its most common filters.
        builder.HasIndex(c => new { c.UpdatedAt, c.Id }).IsDescending(true, true);
        builder.HasIndex(c => new { c.Status, c.UpdatedAt, c.Id }).IsDescending(false, true, true);
        builder.HasIndex(c => new { c.SubjectId, c.UpdatedAt, c.Id }).IsDescending(false, true, true);
        builder.HasIndex(c => new { c.ClaimantId, c.UpdatedAt, c.Id }).IsDescending(false, true, true);
        builder.HasIndex(c => c.PartOfId);
        builder.HasIndex(c => new { c.OccurredOn, c.Id });
        // Every status change rewrites its claim's row (status and updated_at are indexed, so no HOT update) and so
        // re-inserts the claim's tags and search lexemes into these two GIN indexes. With fastupdate (PostgreSQL's
        // default) they go to a pending list that some unlucky write later merges in one go: status changes stalled
        // for up to 1.5 s at 1M claims. Written straight into the index, each write pays a little and none stalls
        // (see tests/ClaimTracker.Benchmarks/results/tuning.md, W1).
        builder.HasIndex(c => c.Tags).HasMethod("gin").HasStorageParameter("fastupdate", false);
        builder.Property(c => c.SearchVector).HasComputedColumnSql(SearchVectorSql, stored: true);
        builder.HasIndex(c => c.SearchVector).HasMethod("gin").HasStorageParameter("fastupdate", false);
    }
}
