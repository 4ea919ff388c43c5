using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Sources;

/// <summary>A source arranged at revision 1, and per quote the claim quoted there and its appearance.</summary>
internal sealed record QuotedSource(Guid SourceId, IReadOnlyList<(Guid ClaimId, Guid AppearanceId)> Quotes);

/// <summary>Everything a content revision may change, as one comparable value.</summary>
internal sealed record StoredRevisionState(int Revision, string? Content, string? Hash, string Revisions, string Quotes, string ClaimsUpdatedAt);

/// <summary>Arranges sources with anchored quotes in the test's database, and reads back what a revision may change.</summary>
internal static class QuotedSources
{
    public const string Budget = "12 miliardi di dollari";
    public const string Denial = "non sono corrette";
    public const string Article =
        "ByteDance prevede di spendere 12 miliardi di dollari in chip per l'IA nel 2025. Il portavoce ha detto che le informazioni non sono corrette.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A source at revision 1 with <paramref name="content"/>, and per quote a claim of its own anchored there.</summary>
    public static async Task<QuotedSource> AddQuotedSourceAsync(this ClaimTrackerApp app, string content, params string[] quotes)
    {
        var subject = await app.AddEntityAsync("revised");
        var claims = await app.AddClaimsAsync(subject, quotes.Length);
        await using var db = app.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var hash = SourceFields.Sha256(content);
        var source = new Source
        {
            Kind = SourceKind.Article, Title = "Test article", Content = content, ContentSha256 = hash, CreatedAt = now, UpdatedAt = now,
            Revisions = [new SourceRevision { Revision = 1, Content = content, ContentSha256 = hash, CreatedAt = now }],
        };
        var appearances = quotes.Select((exact, i) =>
        {
            var found = QuoteAnchoring.Locate(content, exact);
            Assert.True(found.IsFound, $"'{exact}' is not once in the arranged content");
            var (prefix, suffix) = QuoteAnchoring.Context(content, found.Start, found.End);
            return new Appearance
            {
                ClaimId = claims[i].Id, SourceId = source.Id, Stance = Stance.Reports, CreatedAt = now.AddMilliseconds(i),
                Quote = new Quote { Exact = exact, Prefix = prefix, Suffix = suffix, Start = found.Start, End = found.End, Anchor = AnchorState.Anchored },
            };
        }).ToList();
        db.Sources.Add(source);
        db.Appearances.AddRange(appearances);
        await db.SaveChangesAsync(Ct);
        return new QuotedSource(source.Id, [.. appearances.Select(a => (a.ClaimId, a.Id))]);
    }

    public static async Task<StoredRevisionState> StoredRevisionStateAsync(this ClaimTrackerApp app, Guid sourceId)
    {
        await using var db = app.CreateDbContext();
        var source = await db.Sources.AsNoTracking().SingleAsync(s => s.Id == sourceId, Ct);
        var revisions = await db.SourceRevisions.Where(r => r.SourceId == sourceId).OrderBy(r => r.Revision)
            .Select(r => r.Revision + ":" + r.ContentSha256).ToListAsync(Ct);
        var appearances = await db.Appearances.AsNoTracking().Include(a => a.Claim).Where(a => a.SourceId == sourceId)
            .OrderBy(a => a.Id).ToListAsync(Ct);
        return new StoredRevisionState(source.Revision, source.Content, source.ContentSha256, string.Join(",", revisions),
            string.Join("|", appearances.Select(a => $"{a.Quote.Anchor} {a.Quote.Start} {a.Quote.End} {a.Quote.Prefix} {a.Quote.Exact} {a.Quote.Suffix}")),
            string.Join(",", appearances.Select(a => a.Claim.UpdatedAt.ToString("O"))));
    }

    public static async Task<Quote> QuoteAsync(this ClaimTrackerApp app, Guid appearanceId)
    {
        await using var db = app.CreateDbContext();
        return await db.Appearances.AsNoTracking().Where(a => a.Id == appearanceId).Select(a => a.Quote).SingleAsync(Ct);
    }

    public static HttpRequestMessage PutContent(Guid sourceId, object body, EntityTagHeaderValue? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{sourceId}/content") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(ifMatch);
        return request;
    }

    /// <summary>The ETag a GET of <paramref name="url"/> returns.</summary>
    public static async Task<EntityTagHeaderValue> ETagOfAsync(this ClaimTrackerApp app, string url)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(url, Ct);
        return response.Headers.ETag ?? throw new InvalidOperationException($"GET {url} returned no ETag ({(int)response.StatusCode}).");
    }

    public static Task<EntityTagHeaderValue> SourceETagAsync(this ClaimTrackerApp app, Guid sourceId) => app.ETagOfAsync($"/api/v1/sources/{sourceId}");

    public static Task<EntityTagHeaderValue> ClaimETagAsync(this ClaimTrackerApp app, Guid claimId) => app.ETagOfAsync($"/api/v1/claims/{claimId}");
}
