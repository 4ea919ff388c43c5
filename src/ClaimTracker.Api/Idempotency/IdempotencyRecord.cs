using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Idempotency;

/// <summary>
/// The first response to a POST sent with an `Idempotency-Key`, per (key owner, key), replayed to retries for 24 h.
/// Stored in PostgreSQL so that every API instance sees it.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>The API key id of the caller: keys of different callers never collide.</summary>
    public required string Owner { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of method, path and body: the same key with another request is refused.</summary>
    public required string RequestHash { get; set; }
    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public byte[]? Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.HasKey(r => new { r.Owner, r.Key });
        builder.Property(r => r.Owner).HasMaxLength(64);
        builder.Property(r => r.Key).HasMaxLength(IdempotencyMiddleware.MaxKeyLength);
        builder.Property(r => r.RequestHash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.ContentType).HasMaxLength(200);
        builder.Property(r => r.Location).HasMaxLength(2048);
        builder.Property(r => r.ETag).HasMaxLength(100);
        builder.HasIndex(r => r.ExpiresAt);
    }
}
