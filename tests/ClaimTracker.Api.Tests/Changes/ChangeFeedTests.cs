using System.Net;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Changes;

public sealed class ChangeFeedTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<StatusChange>> StoredAsync()
    {
        await using var db = app.CreateDbContext();
        return await db.StatusChanges.AsNoTracking().OrderBy(c => c.Seq).ToListAsync(Ct);
    }

    /// <summary>Every field, evidence included, in a form that compares by value.</summary>
    private static string Fields(StatusChangeResponse c) =>
        $"{c.Seq}|{c.ClaimId}|{c.From}|{c.To}|{c.Reason}|{string.Join(",", c.Evidence)}|{c.Actor}|{c.At:O}|{c.PrevHash}|{c.Hash}";

    [Fact]
    public async Task FeedWithoutParametersStartsAtTheFirstChangeInSeqOrder()
    {
        var stored = await StoredAsync();

        var feed = await app.GetJsonAsync<ChangeFeedResponse>("/api/v1/changes");

        Assert.NotEmpty(feed.Items);
        Assert.Equal(stored.Take(ChangeFeedQuery.DefaultLimit).Select(c => Fields(c.ToResponse())), feed.Items.Select(Fields));
        Assert.Equal(feed.Items[^1].Seq, feed.NextAfter);
    }

    [Fact]
    public async Task FeedReturnsAtMostLimitChangesStrictlyAfterAfter()
    {
        var feed = await app.GetJsonAsync<ChangeFeedResponse>("/api/v1/changes?after=2&limit=3");

        Assert.Equal([3L, 4L, 5L], feed.Items.Select(c => c.Seq));
        Assert.Equal(5, feed.NextAfter);
    }

    [Fact]
    public async Task PollingWithNextAfterVisitsEveryChangeOnceInOrder()
    {
        var stored = await StoredAsync();
        var seen = new List<long>();
        long after = 0;

        for (var polls = 0; polls < 100; polls++)
        {
            var feed = await app.GetJsonAsync<ChangeFeedResponse>($"/api/v1/changes?after={after}&limit=4");
            Assert.True(feed.Items.Count <= 4);
            seen.AddRange(feed.Items.Select(c => c.Seq));
            if (feed.Items.Count == 0)
            {
                Assert.Equal(after, feed.NextAfter);
                break;
            }
            after = feed.NextAfter;
        }

        Assert.Equal(stored.Select(c => c.Seq), seen);
    }

    [Fact]
    public async Task ANewChangeIsTheOnlyItemOfTheNextPoll()
    {
        var head = await app.GetJsonAsync<ChangeFeedResponse>($"/api/v1/changes?after={(await StoredAsync())[^1].Seq}");
        Assert.Empty(head.Items);
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        await using (var db = app.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await StatusHistory.WriteAsync(db, claim.Id, expectedVersion: null,
                new StatusMove(claim.Status, ClaimStatus.InReview, "Checking.", [], [], "desk", DateTimeOffset.UtcNow), Ct);
            await transaction.CommitAsync(Ct);
        }

        var next = await app.GetJsonAsync<ChangeFeedResponse>($"/api/v1/changes?after={head.NextAfter}");

        var change = Assert.Single(next.Items);
        Assert.Equal((head.NextAfter + 1, claim.Id, ClaimStatus.Unverified, ClaimStatus.InReview, "Checking.", "desk"),
            (change.Seq, change.ClaimId, change.From, change.To, change.Reason, change.Actor));
        Assert.Equal(change.Seq, next.NextAfter);
    }

    [Fact]
    public async Task LimitOf1000IsAllowed()
    {
        var stored = await StoredAsync();

        var feed = await app.GetJsonAsync<ChangeFeedResponse>("/api/v1/changes?limit=1000");

        Assert.Equal(stored.Select(c => c.Seq).Take(1000), feed.Items.Select(c => c.Seq));
    }

    [Theory]
    [InlineData("after=-1", "after")]
    [InlineData("after=abc", "after")]
    [InlineData("after=1.5", "after")]
    [InlineData("after=99999999999999999999", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task InvalidParameterIs400NamingIt(string query, string field)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/changes?{query}", Ct);

        await Problems.AssertValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task SeededChainVerifiesAsValidWithEveryRowChecked()
    {
        var stored = await StoredAsync();

        var result = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");

        Assert.Equal(new ChainVerificationResponse(stored.Count, Valid: true, FirstBrokenSeq: null), result);
    }

    [Fact]
    public async Task ChangesMadeThroughTheApiKeepTheChainValid()
    {
        var (claim, appearanceId, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(ClaimTracker.Api.Auth.Role.Editor);
        foreach (var (status, reason) in new[] { ("in_review", "Checking."), ("confirmed", "Verified.") })
        {
            using var get = await editor.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { status, reason, evidence = new[] { new { appearanceId } } }),
            };
            put.Headers.IfMatch.Add(get.Headers.ETag!);
            using var response = await editor.SendAsync(put, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var result = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");

        Assert.Equal(new ChainVerificationResponse((await StoredAsync()).Count, Valid: true, FirstBrokenSeq: null), result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(5000)]
    public async Task VerificationInBatchesChecksTheWholeChain(int batchSize)
    {
        await using var db = app.CreateDbContext();
        var count = await db.StatusChanges.CountAsync(Ct);

        var result = await ChainVerification.VerifyAsync(db, batchSize, Ct);

        Assert.Equal(new ChainVerificationResponse(count, Valid: true, FirstBrokenSeq: null), result);
    }
}
