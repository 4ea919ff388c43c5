using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Matching;

/// <summary>A candidate in a 409 `possible-duplicate`: enough to decide, and the id to send in `notDuplicateOf`.</summary>
public sealed record DuplicateCandidate(Guid Id, string Slug, string Statement, double Score, MatchVerdict Verdict);

/// <summary>What the matcher found for a claim about to be created, and which claims the editor said it is not.</summary>
public sealed record GuardOutcome(IReadOnlyList<ClaimMatch> Matches, IReadOnlySet<Guid> NotDuplicateOf);

/// <summary>
/// The guard of `POST /claims` (docs/decisions/012-claim-matching.md): a claim whose best match is a `duplicate` is not
/// created (409 <see cref="ProblemTypes.PossibleDuplicate"/> with the candidates) unless the request names that claim in
/// `notDuplicateOf`; a claim that is created keeps what was found as `suggested` links, and the editor's "not a
/// duplicate of" as `rejected` ones, with who and when.
/// </summary>
public static class DuplicateGuard
{
    private const int Candidates = 5;

    /// <summary>
    /// Resolves `notDuplicateOf` (ids or slugs, in one query; an unknown one is named in <paramref name="errors"/>) and
    /// matches the statement and each of its translations (unless <paramref name="match"/> is false:
    /// `Matching:GuardOnCreate`); null when there were errors.
    /// </summary>
    public static async Task<GuardOutcome?> CheckAsync(
        ClaimTrackerDbContext db, string statement, IReadOnlyDictionary<string, string> translations, IReadOnlyList<string>? notDuplicateOf,
        bool match, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var refused = await NotDuplicateOfAsync(db, notDuplicateOf, errors, cancellationToken);
        if (errors.Any) return null;
        if (!match) return new GuardOutcome([], refused);

        // The statement in each of its languages: "12 miliardi" finds the claim tracked with its Italian statement as well.
        var found = new List<ClaimMatch>();
        foreach (var (language, text) in translations.Prepend(new(ClaimLanguages.Canonical, statement)))
        {
            if (await MayHaveDuplicateAsync(db, text, cancellationToken) == false) continue;
            var matches = await ClaimMatcher.MatchAsync(db, text, MatchingApi.MatcherLanguage(language), Candidates, [], cancellationToken);
            found.AddRange(matches);
            if (matches is [{ Verdict: MatchVerdict.Duplicate }, ..]) break;
        }
        // Each claim once, at its best: a duplicate first (only a text's best match can be one), then by score.
        var merged = found.GroupBy(m => m.ClaimId)
            .Select(g => g.OrderByDescending(m => m.Verdict == MatchVerdict.Duplicate).ThenByDescending(m => m.Score).First())
            .OrderByDescending(m => m.Verdict == MatchVerdict.Duplicate).ThenByDescending(m => m.Score).ThenBy(m => m.ClaimId)
            .Take(Candidates).ToList();
        return new GuardOutcome(merged, refused);
    }

    /// <summary>
    /// Whether some claim holds two of the text's rare words (`claimtracker_may_have_duplicate`, migration
    /// DuplicateGuardPreCheck): false means no claim can be the text's duplicate, and the match is skipped; null means the
    /// text cannot be told this way (no rare word, or very many) and is matched in full. Answered inside the search index.
    /// </summary>
    public static Task<bool?> MayHaveDuplicateAsync(ClaimTrackerDbContext db, string text, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<bool?>($"SELECT claimtracker_may_have_duplicate({text}) AS \"Value\"").SingleAsync(cancellationToken);

    private static async Task<HashSet<Guid>> NotDuplicateOfAsync(
        ClaimTrackerDbContext db, IReadOnlyList<string>? notDuplicateOf, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var refused = new HashSet<Guid>();
        if (notDuplicateOf is not { Count: > 0 }) return refused;
        var references = notDuplicateOf.Select(r => r?.Trim() ?? "").ToList();
        var ids = references.Select(r => Guid.TryParse(r, out var id) ? id : (Guid?)null).OfType<Guid>().ToList();
        var found = await db.Claims.AsNoTracking().Where(c => ids.Contains(c.Id) || references.Contains(c.Slug))
            .Select(c => new { c.Id, c.Slug }).ToListAsync(cancellationToken);
        foreach (var (reference, index) in references.Select((r, i) => (r, i)))
        {
            var id = Guid.TryParse(reference, out var parsed) ? parsed : (Guid?)null;
            if (found.FirstOrDefault(c => c.Id == id || c.Slug == reference) is { } claim) refused.Add(claim.Id);
            else errors.Add($"notDuplicateOf[{index}]", $"No claim has the id or slug '{notDuplicateOf[index]}'.");
        }
        return refused;
    }

    /// <summary>The 409 for an outcome whose best match is a duplicate the editor did not set aside; else null.</summary>
    public static async Task<ProblemHttpResult?> RefusalAsync(ClaimTrackerDbContext db, GuardOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Matches is not [{ Verdict: MatchVerdict.Duplicate } best, ..] || outcome.NotDuplicateOf.Contains(best.ClaimId)) return null;
        var ids = outcome.Matches.Select(m => m.ClaimId).ToList();
        var claims = await db.Claims.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Slug, c.Statement })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var candidates = outcome.Matches.Select(m => new DuplicateCandidate(m.ClaimId, claims[m.ClaimId].Slug, claims[m.ClaimId].Statement, m.Score, m.Verdict));
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.PossibleDuplicate, title: "Possible duplicate",
            detail: $"This claim looks like '{claims[best.ClaimId].Slug}', which is tracked already (score {best.Score:0.00}). Add an " +
                    "appearance to it instead, or, if it is another claim, send the same request with its id in \"notDuplicateOf\". " +
                    "Nothing was created.",
            extensions: new Dictionary<string, object?> { ["candidates"] = candidates.ToList() });
    }

    /// <summary>The links a new claim keeps: each match `suggested`, each claim in `notDuplicateOf` a `rejected` duplicate.</summary>
    public static IEnumerable<ClaimLink> Links(Guid claimId, GuardOutcome outcome, string actor, DateTimeOffset now)
    {
        foreach (var match in outcome.Matches.Where(m => !outcome.NotDuplicateOf.Contains(m.ClaimId)))
        {
            yield return new ClaimLink
            {
                ClaimId = claimId, OtherId = match.ClaimId, Score = match.Score, CreatedAt = now, State = LinkState.Suggested,
                Relation = match.Verdict == MatchVerdict.Duplicate ? LinkRelation.Duplicate : LinkRelation.Related,
            };
        }
        foreach (var other in outcome.NotDuplicateOf)
        {
            yield return new ClaimLink
            {
                ClaimId = claimId, OtherId = other, CreatedAt = now, Relation = LinkRelation.Duplicate, State = LinkState.Rejected,
                Score = outcome.Matches.FirstOrDefault(m => m.ClaimId == other)?.Score, DecidedBy = actor, DecidedAt = now,
            };
        }
    }
}
