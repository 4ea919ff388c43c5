using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Sources;

namespace ClaimTracker.Api.Appearances;

/// <summary>A claim appearing in a source, with the exact quote anchored in the source's content.</summary>
public sealed class Appearance
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ClaimId { get; set; }
    public Claim Claim { get; set; } = null!;
    public Guid SourceId { get; set; }
    public Source Source { get; set; } = null!;
    public Stance Stance { get; set; }
    public Quote Quote { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>W3C Web Annotation TextQuoteSelector + TextPositionSelector, with the anchoring state.</summary>
public sealed class Quote
{
    public required string Exact { get; set; }
    public string? Prefix { get; set; }
    public string? Suffix { get; set; }
    /// <summary>Start offset in UTF-16 code units; null unless anchored.</summary>
    public int? Start { get; set; }
    public int? End { get; set; }
    public AnchorState Anchor { get; set; }
}

public enum Stance { Asserts, Reports, Supports, Disputes, Denies, Retracts }

public enum AnchorState { Anchored, Orphaned, Unanchored }
