using System.Data.Common;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClaimTracker.Api.Tests.Search;

/// <summary>The SQL a search runs is served by the GIN index on the claims' search document.</summary>
public sealed class SearchPlanTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("-updated")]
    [InlineData("relevance")]
    public async Task ASearchPageIsPlannedOnTheGinIndex(string sort)
    {
        await using var db = app.CreateDbContext();
        var errors = new ValidationErrors();
        var filter = new ClaimListQuery(Status: null, Subject: null, Claimant: null, Source: null, Kind: null, Tag: null, PartOf: null,
            OccurredFrom: null, OccurredTo: null, UpdatedSince: null, Q: "Cambricon", Sort: sort, Limit: null, Cursor: null).Parse(errors);
        Assert.False(errors.Any);
        var claims = filter.Apply(db.Claims.AsNoTracking());
        // The very queries ClaimSorts.PageAsync runs.
        IQueryable page = sort == "relevance" ? ClaimSorts.RelevancePage(claims, filter) : ClaimSorts.PageQuery(claims, filter);

        // In the transaction and with the settings the API gives every search.
        await using var transaction = await SearchTransaction.BeginAsync(db, filter, new SearchOptions(), Ct);
        Assert.NotNull(transaction);
        // The seeded table fits in a few pages, where reading it whole is rightly cheaper; at scale the planner needs no push.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off", Ct);
        await using var explain = page.CreateDbCommand();
        explain.CommandText = "EXPLAIN " + explain.CommandText;
        explain.Transaction = transaction.GetDbTransaction();
        var plan = await ReadPlanAsync(explain);
        TestContext.Current.TestOutputHelper?.WriteLine(plan);

        Assert.Contains("Bitmap Index Scan on ix_claims_search_vector", plan);
        Assert.DoesNotContain("Index Scan using ix_claims_updated_at_id", plan);
    }

    private static async Task<string> ReadPlanAsync(DbCommand explain)
    {
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }
}
