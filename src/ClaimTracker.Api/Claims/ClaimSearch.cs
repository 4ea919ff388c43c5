using System.Linq.Expressions;
using System.Text;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using NpgsqlTypes;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// A validated `q`: the web-search text as sent, and what it excludes (its `-word`s and `-"phrases"`, OR-ed) or null.
/// </summary>
public sealed record SearchTerms(string Text, string? Excluded);

/// <summary>
/// Full-text search over a claim's search document (<see cref="Claim.SearchVector"/>, GIN-indexed): `q` in web-search
/// syntax (words, "phrases", OR, -exclusion) is read as English, as Italian and as-is (names, aliases), and the three
/// queries are OR-ed, so `divieto`, `ban` and `Cambricon` all find their claims. See docs/decisions/005-full-text-search.md.
/// </summary>
public static class ClaimSearch
{
    public const int MaxLength = 200;

    /// <summary>Validates `q`; each problem is named in <paramref name="errors"/> under `q`.</summary>
    public static SearchTerms? Parse(string? q, ValidationErrors errors)
    {
        if (q is null) return null;
        if (q.Length is 0 or > MaxLength)
        {
            errors.Add("q", $"q must be 1 to {MaxLength} characters.");
            return null;
        }
        var (included, excluded) = Operands(q);
        if (!included.Any(HasWord))
        {
            errors.Add("q", excluded.Any(HasWord)
                ? "q only excludes (-word): add a word or \"phrase\" to look for."
                : "q has no words to look for, only spaces or punctuation.");
            return null;
        }
        var exclusions = excluded.Where(HasWord).Select(e => $"\"{e}\"").ToList();
        return new SearchTerms(q, exclusions.Count == 0 ? null : string.Join(" or ", exclusions));
    }

    /// <summary>
    /// The claims matching <paramref name="search"/>; an excluded word drops a claim in whichever language it matches.
    /// </summary>
    public static IQueryable<Claim> Matching(this IQueryable<Claim> claims, SearchTerms search)
    {
        claims = claims.Where(Combine(c => c.SearchVector, TsQuery(search.Text), (document, query) => document.Matches(query)));
        // PostgreSQL applies `-word` within each language's reading of q, so a claim whose English statement names the
        // word could still match through its Italian quotes; this drops it in every language (a filter on the matches).
        return search.Excluded is { } excluded
            ? claims.Where(Combine(c => c.SearchVector, TsQuery(excluded), (document, query) => !document.Matches(query)))
            : claims;
    }

    /// <summary>
    /// ts_rank_cd of the claim's document for the search (statement weighs most, then quotes and names). One expression,
    /// used alike in ORDER BY, in the keyset WHERE and in SELECT, so that a page continues exactly where the last ended.
    /// </summary>
    public static Expression<Func<Claim, float>> Rank(SearchTerms search) =>
        Combine(c => c.SearchVector, TsQuery(search.Text), (document, query) => document.RankCoverDensity(query));

    /// <summary>
    /// Builds `c => combine(first(c), second(c))` as one expression tree for EF Core to translate, so that a part written
    /// once (the tsquery, the rank, the response projection) can be used inside another.
    /// </summary>
    public static Expression<Func<Claim, TResult>> Combine<T1, T2, TResult>(
        Expression<Func<Claim, T1>> first, Expression<Func<Claim, T2>> second, Expression<Func<T1, T2, TResult>> combine)
    {
        var claim = first.Parameters[0];
        var secondBody = ReplacingExpressionVisitor.Replace(second.Parameters[0], claim, second.Body);
        var body = new ReplacingExpressionVisitor([combine.Parameters[0], combine.Parameters[1]], [first.Body, secondBody])
            .Visit(combine.Body);
        return Expression.Lambda<Func<Claim, TResult>>(body, claim);
    }

    /// <summary>
    /// <paramref name="text"/> as websearch_to_tsquery reads it in English (the statement's language), Italian (the
    /// article's quotes) and `simple` (names, aliases, tags: no stemming, no stop words), OR-ed.
    /// </summary>
    private static Expression<Func<Claim, NpgsqlTsQuery>> TsQuery(string text) => _ =>
        EF.Functions.WebSearchToTsQuery("english", text)
            .Or(EF.Functions.WebSearchToTsQuery("italian", text))
            .Or(EF.Functions.WebSearchToTsQuery("simple", text));

    /// <summary>
    /// Splits web-search text into the operands it looks for and those it excludes, as websearch_to_tsquery reads them:
    /// a `-` where an operand may start (the start, after white space) excludes the next word or "quoted phrase"; `--`
    /// cancels out; a `-` inside a word (`AI-chip`, `a,-b`) or a quoted phrase is text. Words end at white space or `"`.
    /// </summary>
    internal static (List<string> Included, List<string> Excluded) Operands(string text)
    {
        List<string> included = [], excluded = [];
        var i = 0;
        while (i < text.Length)
        {
            var negated = false;
            while (i < text.Length && (text[i] == '-' || char.IsWhiteSpace(text[i])))
            {
                if (text[i] == '-') negated = !negated;
                i++;
            }
            if (i == text.Length) break;

            string operand;
            if (text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                if (close < 0) close = text.Length;
                operand = text[(i + 1)..close];
                i = Math.Min(close + 1, text.Length);
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
                operand = text[start..i];
            }
            (negated ? excluded : included).Add(operand);
        }
        return (included, excluded);
    }

    private static bool HasWord(string operand) => operand.EnumerateRunes().Any(Rune.IsLetterOrDigit);
}
