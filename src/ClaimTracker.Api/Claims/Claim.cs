using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Entities;

namespace ClaimTracker.Api.Claims;

/// <summary>One checkable proposition, reused across every source that carries it.</summary>
public sealed class Claim
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Slug { get; set; }
    public required string Statement { get; set; }
    public ClaimKind Kind { get; set; }
    public Guid SubjectId { get; set; }
    public Entity Subject { get; set; } = null!;
    public Guid? ClaimantId { get; set; }
    public Entity? Claimant { get; set; }
    public List<string> Tags { get; set; } = [];
    public Guid? PartOfId { get; set; }
    public Claim? PartOf { get; set; }
    public List<Claim> Parts { get; set; } = [];

    public Quantity? Quantity { get; set; }
    public DateOnly? OccurredOn { get; set; }
    public DatePrecision? DatePrecision { get; set; }

    public ClaimStatus Status { get; set; } = ClaimStatus.Unverified;
    public string? StatusReason { get; set; }
    public DateTimeOffset? StatusChangedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin: changes with every update of the row; the ETag.</summary>
    public uint Version { get; set; }

    public List<Appearance> Appearances { get; set; } = [];
}

/// <summary>The figures of a `quantity` claim.</summary>
public sealed class Quantity
{
    public decimal Amount { get; set; }
    public decimal? LowerBound { get; set; }
    public decimal? UpperBound { get; set; }
    public required string Unit { get; set; }
    public bool Approximate { get; set; }
    public string? Period { get; set; }
    public string? Scope { get; set; }
}

public enum ClaimKind { Quantity, Event, Assertion }

public enum DatePrecision { Day, Month, Year }

public enum ClaimStatus { Unverified, InReview, Confirmed, Disputed, Inconclusive, Refuted, Retracted }
