using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.Changes;

/// <summary>
/// One row of the append-only status history. All rows form one global hash chain ordered by
/// <see cref="Seq"/>; the database refuses UPDATE, DELETE and TRUNCATE on them.
/// </summary>
public sealed class StatusChange
{
    /// <summary>Gapless position in the global chain, assigned under a lock (never a sequence).</summary>
    public long Seq { get; set; }
    public Guid ClaimId { get; set; }
    public ClaimStatus From { get; set; }
    public ClaimStatus To { get; set; }
    public required string Reason { get; set; }
    /// <summary>Evidence: appearances of this claim, and sources, that justify the change.</summary>
    public List<Guid> EvidenceAppearanceIds { get; set; } = [];
    public List<Guid> EvidenceSourceIds { get; set; } = [];
    public required string Actor { get; set; }
    public DateTimeOffset At { get; set; }
    public required string PrevHash { get; set; }
    public required string Hash { get; set; }
}
