namespace ClaimTracker.Api.Sources;

/// <summary>A document or utterance that makes, relays or judges claims.</summary>
public sealed class Source
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public SourceKind Kind { get; set; }
    public required string Title { get; set; }
    public string? Url { get; set; }
    public string? Publisher { get; set; }
    public string? Author { get; set; }
    public string? Language { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public bool Anonymous { get; set; }
    public SourceReliability Reliability { get; set; } = SourceReliability.Unrated;
    public string? Content { get; set; }
    public string? ContentSha256 { get; set; }
    /// <summary>1 at creation, +1 each time the content changes; every revision is kept in <see cref="Revisions"/>.</summary>
    public int Revision { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }

    public List<SourceRevision> Revisions { get; set; } = [];
}

/// <summary>One kept revision of a source's content.</summary>
public sealed class SourceRevision
{
    public Guid SourceId { get; set; }
    public int Revision { get; set; }
    public string? Content { get; set; }
    public string? ContentSha256 { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>`fact_check`: another desk's published verdict (a schema.org ClaimReview), as `POST /imports/claimreview` records it.</summary>
public enum SourceKind { Article, Report, Statement, Ruling, Filing, SocialPost, Dataset, Other, FactCheck }

public enum SourceReliability { Unrated, Credible, Mixed, NotCredible }
