using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Claims;

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
