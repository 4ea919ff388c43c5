using System.Net;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ClaimTracker.Api.Tests.Search;

/// <summary>
/// The API with a search statement timeout of <see cref="TimeoutMs"/>, and a way to make any search outlast it that does
/// not depend on the machine's speed: while <see cref="HoldClaimsTableAsync"/> holds an ACCESS EXCLUSIVE lock on claims
/// (as a migration's ALTER TABLE would), a search waits for it until PostgreSQL itself cancels it at the timeout (57014),
/// exactly as it cancels a search that reads too much. The search can never finish first, so the outcome is certain.
/// </summary>
public sealed class SearchTimeoutApp : ClaimTrackerApp
{
    public const int TimeoutMs = 100;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Search:StatementTimeoutMs", TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Locks the claims table in a transaction of its own until disposed (then rolled back).</summary>
    public async Task<ClaimsTableLock> HoldClaimsTableAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("LOCK TABLE claims IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return new ClaimsTableLock(connection, transaction);
    }

    public sealed class ClaimsTableLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        /// <summary>Waits until another session waits for this lock (up to 10 s), then for <paramref name="then"/> more.</summary>
        public async Task WaitForAWaiterAsync(Task request, TimeSpan then)
        {
            await LockWaiters.WaitForAsync(connection, 1, request);
            await Task.Delay(then, TestContext.Current.CancellationToken);
        }

        private bool _released;

        /// <summary>Releases the lock (idempotent).</summary>
        public async ValueTask DisposeAsync()
        {
            if (_released) return;
            _released = true;
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}

public sealed class SearchTimeoutTests(SearchTimeoutApp app) : IClassFixture<SearchTimeoutApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/v1/claims?q=chips&sort=relevance")]
    [InlineData("/api/v1/claims?q=chips")]
    [InlineData("/api/v1/entities/bytedance/claims?q=chips&sort=relevance")]
    public async Task ASearchStoppedByTheStatementTimeoutIs422AskingToNarrowIt(string url)
    {
        using var client = app.CreateClient();

        HttpResponseMessage response;
        await using (await app.HoldClaimsTableAsync())
        {
            response = await client.GetAsync(url, Ct);
        }

        using (response)
        {
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Equal(ProblemTypes.SearchTooBroad, problem.GetProperty("type").GetString());
            Assert.Equal("Search too broad", problem.GetProperty("title").GetString());
            Assert.Contains($"stopped after {SearchTimeoutApp.TimeoutMs} ms", problem.GetProperty("detail").GetString());
            Assert.Contains("Narrow it", problem.GetProperty("detail").GetString());
            Assert.DoesNotContain("57014", await response.Content.ReadAsStringAsync(Ct));
        }
    }

    [Fact]
    public async Task AfterATimedOutSearchListsWithoutQAreNotBoundByIt()
    {
        using var client = app.CreateClient();
        await using (var held = await app.HoldClaimsTableAsync())
        {
            using var timedOut = await client.GetAsync("/api/v1/claims?q=chips&sort=relevance", Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, timedOut.StatusCode);

            // The cancelled search's SET LOCAL ended with its transaction: a list without q on the same pooled connection
            // waits for the lock well past the search timeout and is answered once the lock goes.
            var list = client.GetAsync("/api/v1/claims?subject=bytedance&limit=5", Ct);
            await held.WaitForAWaiterAsync(list, TimeSpan.FromMilliseconds(5 * SearchTimeoutApp.TimeoutMs));
            Assert.False(list.IsCompleted, "A list without q was cancelled while it waited.");
            await held.DisposeAsync();
            using var listed = await list;
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        // And the pooled connections and contexts serve searches again.
        var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?q=chips&limit=100");
        Assert.NotEmpty(page.Items);
    }
}
