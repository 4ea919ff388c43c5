using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Matching;

/// <summary>
/// The matcher's reads in PostgreSQL (decision 012, "Finding candidates at scale"): candidates by the text's rare words,
/// ranked by how rare the words they share are; the common-word list refreshed from the statistics; the entities whose
/// stored folded names hold a word starting like the text's names. Each test uses words of its own: the database is
/// shared by the class.
/// </summary>
public sealed class MatchReadsTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<Guid>> CandidatesAsync(string text, int wanted)
    {
        await using var db = app.CreateDbContext();
        return await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM claimtracker_match_candidates({text}, {wanted}) AS id").ToListAsync(Ct);
    }

    [Fact]
    public async Task ClaimsSharingTheRarerWordsComeFirstAndACommonWordFindsNothing()
    {
        var subject = await app.AddEntityAsync("vexlor");
        // "quorvane" is held by two claims, "brindlewick" by three: the claim holding both is first, then the one holding
        // only the rarer word, then those holding only the commoner one.
        var claims = await app.AddClaimsAsync(subject, 5, (i, c) => c.Statement = i switch
        {
            0 => "Quorvane and brindlewick agreed a merger.",
            1 => "Quorvane opened a new plant.",
            2 or 3 => "Brindlewick raised its prices.",
            _ => "Nothing in common here.",
        });

        var found = await CandidatesAsync("Quorvane will merge with Brindlewick", 10);

        Assert.Equal([claims[0].Id, claims[1].Id], found.Take(2));
        Assert.Equal(new[] { claims[2].Id, claims[3].Id }.Order(), found.Skip(2).Order());
        Assert.DoesNotContain(claims[4].Id, found);
        Assert.Equal(2, (await CandidatesAsync("Quorvane will merge with Brindlewick", 2)).Count);

        // Once "brindlewick" counts as common (as the statistics would say of a word in thousands of claims), it finds
        // nobody by itself; the claims holding the rare word are still found.
        await using (var db = app.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO match_common_lexemes (lexeme) VALUES ('brindlewick')", Ct);
        }
        try
        {
            var rare = await CandidatesAsync("Quorvane will merge with Brindlewick", 10);
            Assert.Equal(new[] { claims[0].Id, claims[1].Id }.Order(), rare.Order());
            // A text of common words only asks for claims holding them all.
            Assert.Equal(new[] { claims[2].Id, claims[3].Id, claims[0].Id }.Order(), (await CandidatesAsync("Brindlewick", 10)).Order());
        }
        finally
        {
            await using var db = app.CreateDbContext();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM match_common_lexemes WHERE lexeme = 'brindlewick'", Ct);
        }
    }

    [Fact]
    public async Task AWordInMoreThan500ClaimsSinceTheStatisticsIsLeftOutLikeACommonOne()
    {
        var subject = await app.AddEntityAsync("crowd");
        // No ANALYZE since: by the statistics "glimmerquat" is as rare as "zentrovic".
        var crowd = await app.AddClaimsAsync(subject, 501, (i, c) => c.Statement = $"Glimmerquat report number {i}.");
        var both = (await app.AddClaimsAsync(subject, 1, (_, c) => c.Statement = "Glimmerquat and Zentrovic signed."))[0];

        // Found in 502 claims, "glimmerquat" is left out: the one claim with the rarer word is the only candidate.
        Assert.Equal([both.Id], await CandidatesAsync("Zentrovic and Glimmerquat", 10));
        // A text whose every rare word is left out so is a text of common words: the claims holding all of them.
        var all = await CandidatesAsync("Glimmerquat", 10);
        Assert.Equal(10, all.Count);
        Assert.Subset(crowd.Select(c => c.Id).Append(both.Id).ToHashSet(), all.ToHashSet());
    }

    [Fact]
    public async Task TheRefreshFollowsTheStatisticsAndDropsWordsNoLongerCommon()
    {
        await using var db = app.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("INSERT INTO match_common_lexemes (lexeme) VALUES ('zorblatt-stale')", Ct);

        // By the statistics, "zorblatt-stale" is held by no claim.
        await db.Database.ExecuteSqlRawAsync("ANALYZE claims", Ct);
        var changed = await CommonWords.RefreshAsync(db, Ct);

        Assert.True(changed >= 1);
        Assert.Equal(0, await db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM match_common_lexemes WHERE lexeme = 'zorblatt-stale'").SingleAsync(Ct));
        Assert.Equal(0, await CommonWords.RefreshAsync(db, Ct)); // nothing left to change
    }

    [Fact]
    public async Task EntitiesAreFoundByAWordOfTheirNameOrAliasesFoldedAndFollowAnEdit()
    {
        var entity = await app.AddEntityAsync("names");
        await using (var db = app.CreateDbContext())
        {
            var stored = await db.Entities.SingleAsync(e => e.Id == entity.Id, Ct);
            stored.Name = "Ñandúvale Holdings";
            stored.Aliases = ["Xu Group"];
            await db.SaveChangesAsync(Ct);
        }

        IReadOnlyList<EntityNames> Found(IReadOnlyList<EntityNames> names) => [.. names.Where(n => n.Name == "Ñandúvale Holdings")];
        await using (var db = app.CreateDbContext())
        {
            var reads = new EfMatchReads(db);
            // A word starting alike ("nanduvalese", folded), a short alias word whole ("xu"), both at once.
            Assert.Single(Found(await reads.EntityNamesAsync(new HashSet<string> { "nanduvalese" }, Ct)));
            Assert.Single(Found(await reads.EntityNamesAsync(new HashSet<string> { "xu" }, Ct)));
            Assert.Single(Found(await reads.EntityNamesAsync(new HashSet<string> { "qqqq", "xu" }, Ct)));
            Assert.Empty(Found(await reads.EntityNamesAsync(new HashSet<string> { "nanx" }, Ct)));
            Assert.Empty(Found(await reads.EntityNamesAsync(new HashSet<string> { "x" }, Ct))); // a whole short word, not a prefix

            var stored = await db.Entities.SingleAsync(e => e.Id == entity.Id, Ct);
            stored.Aliases = ["Pelorix"];
            await db.SaveChangesAsync(Ct);
            Assert.Single(Found(await reads.EntityNamesAsync(new HashSet<string> { "pelorixian" }, Ct)));
            Assert.Empty(Found(await reads.EntityNamesAsync(new HashSet<string> { "xu" }, Ct)));
        }
    }

    private async Task<bool?> MayHaveDuplicateAsync(string text)
    {
        await using var db = app.CreateDbContext();
        return await DuplicateGuard.MayHaveDuplicateAsync(db, text, Ct);
    }

    [Fact]
    public async Task TheGuardsPreCheckAsksForTwoOfTheTextsRareWordsInOneClaim()
    {
        var subject = await app.AddEntityAsync("precheck");
        await app.AddClaimsAsync(subject, 2, (i, c) => c.Statement = i == 0 ? "Zembrook sold 4711 kettles." : "Quillmar counted 8123 ferries.");

        // Two words of one claim: it may be a duplicate, so the guard matches the text in full.
        Assert.True(await MayHaveDuplicateAsync("4711 kettles were sold"));
        // One word of each claim, none holding two: no claim can be this text's duplicate, the match is skipped.
        Assert.False(await MayHaveDuplicateAsync("Zembrook praised 8123 volunteers"));
        // One word is one word: the statement holds "kettles" as the English stem "kettl" only.
        Assert.False(await MayHaveDuplicateAsync("kettles"));
        // A word whose readings differ and a claim holds both counts twice: the seeded ByteDance claims hold "bytedanc" (their
        // English statements) and "bytedance" (their subject's name, as written), so a name alone is enough.
        Assert.True(await MayHaveDuplicateAsync("ByteDance"));
        // Stop words only, in English and Italian: nothing to ask with; the guard matches in full.
        Assert.Null(await MayHaveDuplicateAsync("the and of il di"));
        // Past 24 rare words (276 pairs), the same.
        Assert.Null(await MayHaveDuplicateAsync(string.Join(' ', Enumerable.Range(0, 30).Select(i => $"zq{i}x"))));
        // Quotes and backslashes in a word are the text's, not the query's.
        Assert.False(await MayHaveDuplicateAsync(@"O'Brien\'s zq'x \\ 'quoted' l'ultima"));
    }
}
