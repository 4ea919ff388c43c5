using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ClaimTracker.Api.Tests.Sources.QuotedSources;

namespace ClaimTracker.Api.Tests.Sources;

/// <summary>`PUT /sources/{id}/content`: new revisions, re-anchored and orphaned quotes, and concurrent writers.</summary>
public sealed class SourceContentRevisionTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RevisionThatMovesTextReanchorsEveryQuoteAtOffsetsThatSliceTheNewContent()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Budget, Denial);
        var etag = await app.SourceETagAsync(arranged.SourceId);
        const string revised = "AGGIORNAMENTO, 23 gennaio: ByteDance ha ribadito la smentita. " + Article;
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = revised }, etag), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((2, SourceFields.Sha256(revised), 2), (body.Source.Revision, body.Source.ContentSha256, body.Reanchored));
        Assert.Empty(body.Orphaned);
        Assert.NotEqual(etag, response.Headers.ETag);
        Assert.Equal(await app.SourceETagAsync(arranged.SourceId), response.Headers.ETag);

        await using var db = app.CreateDbContext();
        var source = await db.Sources.AsNoTracking().SingleAsync(s => s.Id == arranged.SourceId, Ct);
        Assert.Equal((revised, SourceFields.Sha256(revised), 2), (source.Content, source.ContentSha256, source.Revision));
        Assert.Equal(body.Source.UpdatedAt, source.UpdatedAt);
        var quotes = await db.Appearances.AsNoTracking().Where(a => a.SourceId == arranged.SourceId).Select(a => a.Quote).ToListAsync(Ct);
        Assert.Equal(2, quotes.Count);
        Assert.All(quotes, q =>
        {
            Assert.Equal(AnchorState.Anchored, q.Anchor);
            Assert.Equal(q.Exact, revised[q.Start!.Value..q.End!.Value]);
            Assert.Equal(QuoteAnchoring.Context(revised, q.Start.Value, q.End.Value), (q.Prefix!, q.Suffix!));
        });
        var revisions = await db.SourceRevisions.Where(r => r.SourceId == arranged.SourceId).OrderBy(r => r.Revision)
            .Select(r => new { r.Revision, r.Content, r.ContentSha256 }).ToListAsync(Ct);
        Assert.Equal([new { Revision = 1, Content = (string?)Article, ContentSha256 = SourceFields.Sha256(Article) },
            new { Revision = 2, Content = (string?)revised, ContentSha256 = SourceFields.Sha256(revised) }], revisions);
    }

    [Fact]
    public async Task QuoteWhoseTextWasRemovedIsOrphanedListedAndKept()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Budget, Denial);
        var before = await app.QuoteAsync(arranged.Quotes[1].AppearanceId);
        const string revised = "ByteDance prevede di spendere 12 miliardi di dollari in chip per l'IA nel 2025. Il portavoce non ha commentato.";
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = revised }, await app.SourceETagAsync(arranged.SourceId)), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(1, body.Reanchored);
        Assert.Equal([new OrphanedQuote(arranged.Quotes[1].AppearanceId, arranged.Quotes[1].ClaimId, Denial)], body.Orphaned);
        var orphan = await app.QuoteAsync(arranged.Quotes[1].AppearanceId);
        Assert.Equal((Denial, before.Prefix, before.Suffix, (int?)null, (int?)null, AnchorState.Orphaned),
            (orphan.Exact, orphan.Prefix, orphan.Suffix, orphan.Start, orphan.End, orphan.Anchor));
        var claim = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{arranged.Quotes[1].ClaimId}");
        Assert.Equal(AnchorState.Orphaned, Assert.Single(claim.Appearances).Quote.Anchor);
    }

    [Fact]
    public async Task QuoteThatNowOccursTwiceWithoutDistinguishingContextIsOrphaned()
    {
        var arranged = await app.AddQuotedSourceAsync("Il portavoce: le informazioni non sono corrette.", Denial);
        const string revised = "Prima versione: non sono corrette. Seconda versione: non sono corrette.";
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = revised }, await app.SourceETagAsync(arranged.SourceId)), Ct);

        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((0, arranged.Quotes[0].AppearanceId), (body.Reanchored, Assert.Single(body.Orphaned).AppearanceId));
        Assert.Equal(AnchorState.Orphaned, (await app.QuoteAsync(arranged.Quotes[0].AppearanceId)).Anchor);
    }

    [Fact]
    public async Task OrphanedQuoteIsAnchoredAgainWhenALaterRevisionRestoresItsTextAndEveryRevisionIsKept()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (var removed = await editor.SendAsync(PutContent(arranged.SourceId, new { content = "Il portavoce tace." }, await app.SourceETagAsync(arranged.SourceId)), Ct))
        {
            Assert.Single((await removed.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!.Orphaned);
        }

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = Article }, await app.SourceETagAsync(arranged.SourceId)), Ct);

        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((3, 1), (body.Source.Revision, body.Reanchored));
        Assert.Empty(body.Orphaned);
        var quote = await app.QuoteAsync(arranged.Quotes[0].AppearanceId);
        Assert.Equal((AnchorState.Anchored, Denial), (quote.Anchor, Article[quote.Start!.Value..quote.End!.Value]));
        await using var db = app.CreateDbContext();
        Assert.Equal([1, 2, 3], await db.SourceRevisions.Where(r => r.SourceId == arranged.SourceId).OrderBy(r => r.Revision).Select(r => r.Revision).ToListAsync(Ct));
    }

    [Fact]
    public async Task ClaimWhoseQuoteMovedGetsANewETagAndAClaimWhoseQuoteStayedDoesNot()
    {
        const string content = "Prima frase invariata, che resta esattamente dove si trova ora. Seconda frase: il portavoce smentisce.";
        var arranged = await app.AddQuotedSourceAsync(content, "Prima frase invariata", "il portavoce smentisce");
        var (stayed, moved) = (arranged.Quotes[0].ClaimId, arranged.Quotes[1].ClaimId);
        var (stayedETag, movedETag) = (await app.ClaimETagAsync(stayed), await app.ClaimETagAsync(moved));
        var revised = content.Replace("Seconda frase", "Nota aggiunta dalla redazione. Seconda frase", StringComparison.Ordinal);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = revised }, await app.SourceETagAsync(arranged.SourceId)), Ct);

        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(2, body.Reanchored);
        Assert.Equal(stayedETag, await app.ClaimETagAsync(stayed));
        Assert.NotEqual(movedETag, await app.ClaimETagAsync(moved));
        await using var db = app.CreateDbContext();
        var updated = await db.Claims.Where(c => c.Id == stayed || c.Id == moved).ToDictionaryAsync(c => c.Id, c => c.UpdatedAt, Ct);
        Assert.Equal(body.Source.UpdatedAt, updated[moved]);
        Assert.True(updated[stayed] < body.Source.UpdatedAt);
    }

    [Fact]
    public async Task SameContentIs200AndAddsNoRevision()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Budget, Denial);
        var etag = await app.SourceETagAsync(arranged.SourceId);
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = Article }, etag), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((1, 2), (body.Source.Revision, body.Reanchored));
        Assert.Empty(body.Orphaned);
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }

    [Fact]
    public async Task RevisingTheSeededArticleKeepsEveryQuoteAnchored()
    {
        var article = await StorySeed.ReadArticleAsync(Ct);
        const string note = "Aggiornamento: ByteDance ha ribadito la smentita.\n\n";
        await using var db = app.CreateDbContext();
        var quotes = await db.Appearances.CountAsync(a => a.SourceId == StorySeed.ArticleId && a.Quote.Anchor == AnchorState.Anchored, Ct);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(StorySeed.ArticleId, new { content = note + article }, await app.SourceETagAsync(StorySeed.ArticleId)), Ct);

        var body = (await response.Content.ReadFromJsonAsync<ContentRevisionResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(quotes, body.Reanchored);
        Assert.Empty(body.Orphaned);
        var detail = await app.GetJsonAsync<SourceDetailResponse>($"/api/v1/sources/{StorySeed.ArticleId}");
        Assert.All(detail.Claims.SelectMany(c => c.Appearances), a => Assert.Equal(a.Quote.Exact, detail.Content![a.Quote.Start!.Value..a.Quote.End!.Value]));
    }

    [Fact]
    public async Task OfTenConcurrentRevisionsWithOneETagExactlyOneWins()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Budget, Denial);
        var etag = await app.SourceETagAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            var content = $"Versione {i}. {Article}";
            using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content }, etag), Ct);
            if (response.StatusCode != HttpStatusCode.OK) await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
            return (response.StatusCode, content);
        }));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK).content;
        await using var db = app.CreateDbContext();
        var source = await db.Sources.AsNoTracking().SingleAsync(s => s.Id == arranged.SourceId, Ct);
        Assert.Equal((2, winner), (source.Revision, source.Content));
        Assert.Equal(2, await db.SourceRevisions.CountAsync(r => r.SourceId == arranged.SourceId, Ct));
        Assert.All(await db.Appearances.AsNoTracking().Where(a => a.SourceId == arranged.SourceId).Select(a => a.Quote).ToListAsync(Ct),
            q => Assert.Equal(q.Exact, winner[q.Start!.Value..q.End!.Value]));
    }
}
