using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
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
        claims = claims.Where(ClaimProjections.Combine(c => c.SearchVector, TsQuery(search.Text), (document, query) => document.Matches(query)));
        // PostgreSQL applies `-word` within each language's reading of q, so a claim whose English statement names the
        // word could still match through its Italian quotes; this drops it in every language (a filter on the matches).
        return search.Excluded is { } excluded
            ? claims.Where(ClaimProjections.Combine(c => c.SearchVector, TsQuery(excluded), (document, query) => !document.Matches(query)))
            : claims;
    }

    /// <summary>
    /// ts_rank_cd of the claim's document for the search (statement weighs most, then quotes and names). One expression,
    /// used alike in ORDER BY, in the keyset WHERE and in SELECT, so that a page continues exactly where the last ended.
    /// </summary>
    public static Expression<Func<Claim, float>> Rank(SearchTerms search) =>
        ClaimProjections.Combine(c => c.SearchVector, TsQuery(search.Text), (document, query) => document.RankCoverDensity(query));

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

/// <summary>Configuration `Search:StatementTimeoutMs` (default 2000): how long PostgreSQL may spend on one search.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    [Range(1, int.MaxValue, ErrorMessage = "Search:StatementTimeoutMs must be at least 1.")]
    public int StatementTimeoutMs { get; set; } = 2000;
}

/// <summary>
/// A list with `q` runs in a transaction of its own with a `statement_timeout` that ends with it, so that no search runs
/// away: PostgreSQL cancels it (SQLSTATE 57014), answered 422 `/problems/search-too-broad`, never a hang or a 500. The plan
/// is the planner's own: the statistics on `search_vector` (migration SearchVectorStatistics) tell it a rare word, read
/// from the GIN index, from a common one, read in the order of the page. See docs/decisions/005-full-text-search.md.
/// </summary>
public static class SearchTransaction
{
    public static void AddClaimTrackerSearch(this IHostApplicationBuilder builder) =>
        builder.Services.AddValidatedSettings<SearchOptions>(SearchOptions.Section);

    /// <summary>
    /// Runs <paramref name="read"/>, bounded by the statement timeout when <paramref name="filter"/> searches.
    /// Null when PostgreSQL cancelled it for running too long: answer with <see cref="TooBroad"/>.
    /// </summary>
    public static async Task<T?> RunAsync<T>(
        ClaimTrackerDbContext db, ClaimFilter filter, SearchOptions options, Func<CancellationToken, Task<T>> read,
        CancellationToken cancellationToken) where T : class
    {
        try
        {
            await using var transaction = await BeginAsync(db, filter, options, cancellationToken);
            var result = await read(cancellationToken);
            if (transaction is not null) await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (PostgresException e) when (IsTimeout(e, cancellationToken))
        {
            Telemetry.ClaimTrackerMetrics.SearchTimeouts.Add(1);
            return null;
        }
    }

    /// <summary>
    /// For a search, begins its transaction (dispose it when done; a streaming reader such as the CSV export holds it while
    /// it reads); null when the filter does not search.
    /// </summary>
    public static async Task<IDbContextTransaction?> BeginAsync(
        ClaimTrackerDbContext db, ClaimFilter filter, SearchOptions options, CancellationToken cancellationToken)
    {
        if (filter.Search is null) return null;
        // Npgsql sends BEGIN with the next command, so this is one round trip; set_config(…, true) is SET LOCAL with parameters.
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var timeout = options.StatementTimeoutMs.ToString(CultureInfo.InvariantCulture);
        await db.Database.ExecuteSqlAsync($"SELECT set_config('statement_timeout', {timeout}, true)", cancellationToken);
        return transaction;
    }

    /// <summary>True for PostgreSQL cancelling a statement at its statement_timeout, not for a client that went away.</summary>
    public static bool IsTimeout(Exception exception, CancellationToken cancellationToken) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } && !cancellationToken.IsCancellationRequested;

    public static ProblemHttpResult TooBroad(SearchOptions options) => ProblemTypes.RuleBroken(
        ProblemTypes.SearchTooBroad, "Search too broad",
        $"The search was stopped after {options.StatementTimeoutMs} ms. Narrow it: add words or a \"quoted phrase\", " +
        "or filters such as status, subject or updatedSince, then try again.");
}
