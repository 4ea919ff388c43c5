using ClaimTracker.Api.Data;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ClaimTracker.Api.Tests.ClaimReview.ClaimReviewFixtures;

namespace ClaimTracker.Api.Tests.ClaimReview;

/// <summary>`-- import claimreview FILE` as an operator runs it: the built API, a database of its own, an exit code and a summary.</summary>
public sealed class ClaimReviewCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheCommandImportsAFeedOnceSaysWhatItDidAndExitsNonZeroOnABadFile()
    {
        var database = await PostgresServer.Current.CreateDatabaseAsync();

        var (first, firstOutput) = await RunAsync(database, PathOf("datafeed.json"));
        Assert.True(first == 0, firstOutput);
        Assert.Contains("2 reviews: 1 created, 1 linked, 0 updated, 0 unchanged, 0 rejected.", firstOutput);
        Assert.Contains($"linked    {ItalianUrl}  {Budget}", firstOutput);

        var (again, againOutput) = await RunAsync(database, PathOf("datafeed.json"));
        Assert.True(again == 0, againOutput);
        Assert.Contains("2 reviews: 0 created, 0 linked, 0 updated, 2 unchanged, 0 rejected.", againOutput);

        var (partial, partialOutput) = await RunAsync(database, PathOf("malformed.json"));
        Assert.True(partial == 3, partialOutput);
        Assert.Contains("7 reviews: 1 created, 0 linked, 0 updated, 0 unchanged, 6 rejected.", partialOutput);
        Assert.Contains("rejected  (review 0)  url is required", partialOutput);

        var notJson = Path.Combine(Path.GetTempPath(), $"claimreview-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(notJson, "<html>not a feed</html>", Ct);
        try
        {
            var (bad, badOutput) = await RunAsync(database, notJson);
            Assert.True(bad == 1, badOutput);
            Assert.Contains("is not well-formed JSON", badOutput);
        }
        finally
        {
            File.Delete(notJson);
        }
        var (missing, missingOutput) = await RunAsync(database, notJson);
        Assert.True(missing == 1, missingOutput);
        Assert.Contains("Cannot read", missingOutput);

        await using var db = ClaimTrackerApp.CreateDbContext(database);
        Assert.Equal(1, await db.Sources.CountAsync(s => s.Url == GoogleExampleUrl, Ct));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, string file)
    {
        await using var api = ApiProcess.Start(new Dictionary<string, string> { ["ConnectionStrings__ClaimTracker"] = connectionString },
            "import", "claimreview", file);
        return (await api.ExitCodeAsync(Patience, Ct), api.Output);
    }
}
