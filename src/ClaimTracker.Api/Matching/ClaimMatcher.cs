using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Matching;

/// <summary>One of a claim's texts, scored against the text being matched.</summary>
public sealed record ScoredText(Guid ClaimId, string Field, string Language, string Text, double Trigrams, double Lexemes)
{
    /// <summary>
    /// How alike the two texts are, 0–1: the mean of their trigram similarity (spelling: `12bn` ~ `12 billion`,
    /// `investirà` ~ `investire`, accents folded) and the overlap of their stemmed words in the text's language
    /// (wording: `spend`, `spending`; stop words left out).
    /// </summary>
    public double Score => (Trigrams + Lexemes) / 2;
}

/// <summary>A claim found for a text: its best-matching text, the score and the verdict.</summary>
public sealed record ClaimMatch(Guid ClaimId, double Score, MatchVerdict Verdict, ScoredText Best);

/// <summary>
/// Finds the tracked claims a text may state (docs/decisions/012-claim-matching.md). PostgreSQL finds the candidates in
/// the claims' full-text index by the text's rare words (`claimtracker_match_candidates`), and scores each candidate's
/// texts against the text; here the best text of each claim gives its score, and the figures decide
/// whether a close text may be a duplicate: a candidate whose amounts or years contradict the text's never is.
/// </summary>
public static class ClaimMatcher
{
    /// <summary>
    /// At or above: the same claim, if the text names the claim's subject and its figures do not contradict the claim's.
    /// Chosen on the evaluation set (decision 012).
    /// </summary>
    public const double DuplicateAt = 0.50;

    /// <summary>The same, when both state figures and they agree: the figures are evidence of their own.</summary>
    public const double DuplicateWithSameFiguresAt = 0.35;

    /// <summary>At or above, the text is the claim's own words: it need not name the subject (a quote often does not).</summary>
    public const double VerbatimAt = 0.9;

    /// <summary>Below: not shown at all.</summary>
    public const double SimilarAt = 0.25;

    /// <summary>
    /// Claims scored per text, at least: those sharing the text's rarest words (claimtracker_match_candidates); more when a
    /// request asks for more. At 1M claims the evaluation set's figures are the same with 10, 20 or 40, and scoring
    /// is half of a match's database time (decision 012).
    /// </summary>
    public const int Candidates = 10;

    public static Task<IReadOnlyList<ClaimMatch>> MatchAsync(
        ClaimTrackerDbContext db, string text, string? language, int limit, IReadOnlyCollection<Guid> excluded,
        CancellationToken cancellationToken) =>
        MatchAsync(new EfMatchReads(db), text, language, limit, excluded, cancellationToken);

    /// <summary>
    /// The same, reading through <paramref name="reads"/>: the API reads with EF Core (<see cref="EfMatchReads"/>); the
    /// benchmark's floors replay the SQL it sends and share everything else, so that their answer is the API's.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimMatch>> MatchAsync(
        IMatchReads reads, string text, string? language, int limit, IReadOnlyCollection<Guid> excluded,
        CancellationToken cancellationToken)
    {
        var rows = await reads.ScoreAsync(text, Math.Max(Candidates, limit) + excluded.Count, excluded.ToArray(), cancellationToken);
        var ranked = rows.GroupBy(r => r.ClaimId)
            .Select(claim => (Best: claim.MaxBy(r => r.Score)!, Texts: TextFolding.Fold(string.Join(" \n ", claim.Select(r => r.Text)))))
            .Where(c => c.Best.Score >= SimilarAt)
            .OrderByDescending(c => c.Best.Score).ThenBy(c => c.Best.ClaimId)
            .Take(limit)
            .ToList();
        if (ranked.Count == 0) return [];

        // Only the best candidate can be the same claim: a text states one claim.
        var top = ranked[0];
        var figures = StatedFigures.Extract(text, language);
        var duplicate = top.Best.Score >= DuplicateWithSameFiguresAt
                        && await IsSameClaimAsync(reads, text, figures, top.Best, top.Texts, cancellationToken) is var (same, figuresAgree)
                        && same
                        && top.Best.Score >= (figuresAgree ? DuplicateWithSameFiguresAt : DuplicateAt);
        return [.. ranked.Select((c, i) => new ClaimMatch(c.Best.ClaimId, Math.Round(c.Best.Score, 3),
            i == 0 && duplicate ? MatchVerdict.Duplicate : MatchVerdict.Similar, c.Best))];
    }

    /// <summary>
    /// Whether the text, close to <paramref name="best"/>'s claim, may be that claim: it names the claim's subject (unless
    /// it is the claim's own words), every specific term it has (names, codes, months, time units) is accounted for by the
    /// claim's texts, and its figures do not contradict the claim's. Also says whether both state amounts that agree.
    /// </summary>
    private static async Task<(bool Same, bool FiguresAgree)> IsSameClaimAsync(
        IMatchReads reads, string text, StatedFigures figures, ScoredText best, string claimTexts, CancellationToken cancellationToken)
    {
        var claim = await reads.ClaimAsync(best.ClaimId, cancellationToken);
        // The canonical statement states the claim's figures; the text matched may be a quote that leaves them out.
        var theirs = StatedFigures.Extract(claim.Statement, ClaimLanguages.Canonical);
        if (FigureComparison.Compare(figures, theirs) == FigureAgreement.Contradicts) return (false, false);
        var folded = TextFolding.Fold(text);
        if (best.Score < VerbatimAt && !TextFolding.Names(folded, [claim.SubjectName, .. claim.SubjectAliases])) return (false, false);

        var terms = SpecificTerms.Of(text);
        var entityWords = terms.Names.Count == 0 ? new HashSet<string>() : EntityWords(await reads.EntityNamesAsync(terms.Names, cancellationToken));
        if (terms.Unexplained(SpecificTerms.Of(claimTexts), SpecificTerms.Words(claimTexts), entityWords).Count > 0) return (false, false);
        // Every amount the text states must be the claim's: "$12B, of which $5.5B in China" is more than the $12B claim.
        if (!figures.Amounts.All(a => theirs.Amounts.Any(b => FigureComparison.SameAmount(a, b)))) return (false, false);
        return (true, figures.Amounts.Count > 0);
    }

    /// <summary>The folded words of every tracked entity's name and aliases.</summary>
    private static IReadOnlySet<string> EntityWords(IEnumerable<EntityNames> names) =>
        names.SelectMany(e => e.Aliases.Prepend(e.Name)).SelectMany(n => SpecificTerms.Words(n)).ToHashSet(StringComparer.Ordinal);
}

/// <summary>A candidate claim's canonical statement and its subject's names, for the verdict.</summary>
public sealed record MatchedClaim(string Statement, string SubjectName, IReadOnlyList<string> SubjectAliases);

/// <summary>A tracked entity's name and aliases.</summary>
public sealed record EntityNames(string Name, IReadOnlyList<string> Aliases);

/// <summary>What the matcher reads from PostgreSQL, one call per command.</summary>
public interface IMatchReads
{
    /// <summary>
    /// Every text of the <paramref name="candidates"/> claims most likely to be the text's (those in <paramref name="excluded"/>
    /// left out), each scored against the text.
    /// </summary>
    Task<List<ScoredText>> ScoreAsync(string text, int candidates, Guid[] excluded, CancellationToken cancellationToken);

    /// <summary>The claim's statement and subject.</summary>
    Task<MatchedClaim> ClaimAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// The names and aliases of the tracked entities that hold a word starting as one of <paramref name="words"/> does (its
    /// first four letters; a shorter word whole): those that may account for the text's names, not every entity.
    /// </summary>
    Task<IReadOnlyList<EntityNames>> EntityNamesAsync(IReadOnlySet<string> words, CancellationToken cancellationToken);
}

/// <summary>The matcher's reads through EF Core: candidates from the search index by the text's rare words, scored in SQL.</summary>
public sealed class EfMatchReads(ClaimTrackerDbContext db) : IMatchReads
{
    public async Task<MatchedClaim> ClaimAsync(Guid id, CancellationToken cancellationToken)
    {
        var claim = await db.Claims.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.Statement, Subject = new { c.Subject.Name, c.Subject.Aliases } })
            .FirstAsync(cancellationToken);
        return new MatchedClaim(claim.Statement, claim.Subject.Name, claim.Subject.Aliases);
    }

    public async Task<IReadOnlyList<EntityNames>> EntityNamesAsync(IReadOnlySet<string> words, CancellationToken cancellationToken)
    {
        var pattern = SpecificTerms.WordStartPattern(words);
        var names = await db.Entities
            .FromSql($"SELECT * FROM entities WHERE name_words ~ {pattern}")
            .AsNoTracking().Select(e => new { e.Name, e.Aliases }).ToListAsync(cancellationToken);
        return [.. names.Select(e => new EntityNames(e.Name, e.Aliases))];
    }

    /// <summary>Every text of the candidate claims, each scored against <paramref name="text"/>.</summary>
    public Task<List<ScoredText>> ScoreAsync(string text, int candidates, Guid[] excluded, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<ScoredText>($"""
            WITH input AS MATERIALIZED (SELECT claimtracker_fold({text}) AS folded),
            candidates AS MATERIALIZED (
                SELECT id FROM claimtracker_match_candidates({text}, {candidates}) AS id
                WHERE id <> ALL({excluded})
            ),
            texts AS (
                SELECT c.id AS claim_id, 'statement' AS field, 'en' AS language, c.statement AS text
                FROM claims c JOIN candidates k ON k.id = c.id
                UNION ALL
                SELECT c.id, 'translation', t.key, t.value
                FROM claims c JOIN candidates k ON k.id = c.id CROSS JOIN LATERAL each(c.translations) AS t
                UNION ALL
                SELECT a.claim_id, 'quote', coalesce(s.language, ''), a.quote_exact
                FROM appearances a JOIN candidates k ON k.id = a.claim_id JOIN sources s ON s.id = a.source_id
                -- A quote that disputes or denies the claim says the opposite: it is no wording of the claim.
                WHERE a.stance IN ('asserts', 'reports', 'supports')
            ),
            theirs AS MATERIALIZED (
                SELECT t.*, x.config, to_tsvector(x.config, t.text) AS lexemes
                FROM texts t CROSS JOIN LATERAL (SELECT claimtracker_text_config(t.language) AS config) AS x
            ),
            ours AS ( -- the request's lexemes, once per configuration the candidates' texts are in
                SELECT config, tsvector_to_array(to_tsvector(config, {text})) AS lexemes FROM (SELECT DISTINCT config FROM theirs) AS d
            )
            SELECT t.claim_id, t.field, t.language, t.text,
                   similarity(claimtracker_fold(t.text), input.folded)::double precision AS trigrams,
                   claimtracker_lexeme_overlap(t.lexemes, o.lexemes) AS lexemes
            FROM theirs t JOIN ours o ON o.config = t.config CROSS JOIN input
            """).ToListAsync(cancellationToken);
}
