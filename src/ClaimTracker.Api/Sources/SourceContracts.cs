using System.Linq.Expressions;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Sources;

/// <summary>A source as `GET /sources` lists it: everything but the content.</summary>
public sealed record SourceListItem(
    Guid Id, SourceKind Kind, string Title, string? Url, string? Publisher, string? Author, string? Language,
    DateTimeOffset? PublishedAt, bool Anonymous, SourceReliability Reliability, string? ContentSha256, int Revision,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A source with its content and the claims that appear in it, as `GET /sources/{id}` returns it.</summary>
public sealed record SourceDetailResponse(
    Guid Id, SourceKind Kind, string Title, string? Url, string? Publisher, string? Author, string? Language,
    DateTimeOffset? PublishedAt, bool Anonymous, SourceReliability Reliability, string? Content, string? ContentSha256,
    int Revision, IReadOnlyList<SourceClaimResponse> Claims, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A claim that appears in a source, with each of its appearances there.</summary>
public sealed record SourceClaimResponse(
    Guid Id, string Slug, string Statement, ClaimStatus Status, IReadOnlyList<SourceAppearanceResponse> Appearances);

/// <summary>One appearance of a claim in the source being shown: the source's stance and the quote.</summary>
public sealed record SourceAppearanceResponse(Guid Id, Stance Stance, QuoteResponse Quote);

/// <summary>Projections into the response records, translated by EF Core into SQL.</summary>
public static class SourceProjections
{
    public static readonly Expression<Func<Source, SourceListItem>> ToListItem = s => new SourceListItem(
        s.Id, s.Kind, s.Title, s.Url, s.Publisher, s.Author, s.Language, s.PublishedAt, s.Anonymous, s.Reliability,
        s.ContentSha256, s.Revision, s.CreatedAt, s.UpdatedAt);

    /// <summary>The source's own columns; its claims come from <see cref="ToClaimAppearance"/>.</summary>
    public static readonly Expression<Func<Source, Versioned<SourceDetailResponse>>> ToDetail = s => new Versioned<SourceDetailResponse>(
        new SourceDetailResponse(
            s.Id, s.Kind, s.Title, s.Url, s.Publisher, s.Author, s.Language, s.PublishedAt, s.Anonymous, s.Reliability,
            s.Content, s.ContentSha256, s.Revision, Array.Empty<SourceClaimResponse>(), s.CreatedAt, s.UpdatedAt),
        s.Version);

    public static readonly Expression<Func<Appearance, ClaimAppearanceRow>> ToClaimAppearance = a => new ClaimAppearanceRow(
        a.Claim.Id, a.Claim.Slug, a.Claim.Statement, a.Claim.Status,
        new SourceAppearanceResponse(a.Id, a.Stance,
            new QuoteResponse(a.Quote.Exact, a.Quote.Prefix, a.Quote.Suffix, a.Quote.Start, a.Quote.End, a.Quote.Anchor)));

    /// <summary>Groups appearance rows (in document order) by claim; claims keep the order of their first quote.</summary>
    public static IReadOnlyList<SourceClaimResponse> GroupByClaim(IEnumerable<ClaimAppearanceRow> rows) =>
        [.. rows.GroupBy(r => r.ClaimId).Select(g => new SourceClaimResponse(
            g.Key, g.First().Slug, g.First().Statement, g.First().Status, [.. g.Select(r => r.Appearance)]))];
}

/// <summary>An appearance in a source joined with its claim: one row of the source detail's claims query.</summary>
public sealed record ClaimAppearanceRow(Guid ClaimId, string Slug, string Statement, ClaimStatus Status, SourceAppearanceResponse Appearance);
