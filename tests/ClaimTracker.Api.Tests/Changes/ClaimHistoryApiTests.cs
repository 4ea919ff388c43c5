using System.Net;
using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Changes;

public sealed class ClaimHistoryApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HistoryListsTheClaimsStatusChangesOldestFirst()
    {
        var (claim, appearanceId, sourceId) = await AddClaimAsync();
        await ChangeStatusAsync(claim.Id, ClaimStatus.InReview, "Checking the figures.", [], []);
        await ChangeStatusAsync(claim.Id, ClaimStatus.Disputed, "The subject denies it.", [appearanceId], [sourceId]);

        var history = await app.GetJsonAsync<ClaimHistoryResponse>($"/api/v1/claims/{claim.Slug}/history");

        Assert.Equal(new ClaimRef(claim.Id, claim.Slug, claim.Statement), history.Claim);
        Assert.Equal(
            new[] { (ClaimStatus.Unverified, ClaimStatus.InReview, "Checking the figures."), (ClaimStatus.InReview, ClaimStatus.Disputed, "The subject denies it.") },
            history.Items.Select(c => (c.From, c.To, c.Reason)));
        Assert.Equal(new[] { new EvidenceResponse(appearanceId, null), new EvidenceResponse(null, sourceId) }, history.Items[1].Evidence);
        Assert.Empty(history.Items[0].Evidence);
        await using var db = app.CreateDbContext();
        var stored = await db.StatusChanges.Where(c => c.ClaimId == claim.Id).OrderBy(c => c.Seq).ToListAsync(Ct);
        Assert.Equal(stored.Select(c => (c.Seq, c.ClaimId, c.Actor, c.At, c.PrevHash, c.Hash)),
            history.Items.Select(c => (c.Seq, c.ClaimId, c.Actor, c.At, c.PrevHash, c.Hash)));
    }

    [Fact]
    public async Task EvidenceIsOneObjectPerAppearanceOrSource()
    {
        var (claim, appearanceId, sourceId) = await AddClaimAsync();
        await ChangeStatusAsync(claim.Id, ClaimStatus.Confirmed, "Both say so.", [appearanceId], [sourceId]);
        using var client = app.CreateClient();

        var body = await client.GetStringAsync($"/api/v1/claims/{claim.Id}/history", Ct);

        var evidence = JsonDocument.Parse(body).RootElement.GetProperty("items")[0].GetProperty("evidence");
        Assert.Equal(
            new[] { $"{{\"appearanceId\":\"{appearanceId}\"}}", $"{{\"sourceId\":\"{sourceId}\"}}" },
            evidence.EnumerateArray().Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task HistoryHashesChainAndRecomputeFromTheRows()
    {
        var (claim, appearanceId, _) = await AddClaimAsync();
        await ChangeStatusAsync(claim.Id, ClaimStatus.InReview, "Checking.", [], []);
        await ChangeStatusAsync(claim.Id, ClaimStatus.Confirmed, "Verified.", [appearanceId], []);
        await ChangeStatusAsync(claim.Id, ClaimStatus.Retracted, "The source withdrew it.", [appearanceId], []);

        var history = await app.GetJsonAsync<ClaimHistoryResponse>($"/api/v1/claims/{claim.Slug}/history");

        Assert.Equal(3, history.Items.Count);
        Assert.All(history.Items.Zip(history.Items.Skip(1)), pair =>
        {
            Assert.Equal(pair.First.Seq + 1, pair.Second.Seq);
            Assert.Equal(pair.First.Hash, pair.Second.PrevHash);
        });
        Assert.All(history.Items, c => Assert.Equal(c.Hash, HashChain.ComputeHash(new StatusChange
        {
            Seq = c.Seq, ClaimId = c.ClaimId, From = c.From, To = c.To, Reason = c.Reason, Actor = c.Actor, At = c.At,
            EvidenceAppearanceIds = [.. c.Evidence.Select(e => e.AppearanceId).OfType<Guid>()],
            EvidenceSourceIds = [.. c.Evidence.Select(e => e.SourceId).OfType<Guid>()],
            PrevHash = c.PrevHash, Hash = "",
        })));
    }

    [Fact]
    public async Task SeededBudgetClaimHistoryLeadsToItsCurrentStatus()
    {
        var history = await app.GetJsonAsync<ClaimHistoryResponse>("/api/v1/claims/bytedance-ai-chips-budget-2025/history");

        await using var db = app.CreateDbContext();
        var status = await db.Claims.Where(c => c.Slug == "bytedance-ai-chips-budget-2025").Select(c => c.Status).SingleAsync(Ct);
        Assert.NotEmpty(history.Items);
        Assert.Equal(ClaimStatus.Unverified, history.Items[0].From);
        Assert.All(history.Items.Zip(history.Items.Skip(1)), pair =>
        {
            Assert.True(pair.First.Seq < pair.Second.Seq);
            Assert.Equal(pair.First.To, pair.Second.From);
        });
        Assert.Equal(status, history.Items[^1].To);
    }

    [Fact]
    public async Task ClaimNeverReviewedHasAnEmptyHistory()
    {
        var (claim, _, _) = await AddClaimAsync();

        var history = await app.GetJsonAsync<ClaimHistoryResponse>($"/api/v1/claims/{claim.Id}/history");

        Assert.Equal(claim.Id, history.Claim.Id);
        Assert.Empty(history.Items);
    }

    [Theory]
    [InlineData("no-such-claim")]
    [InlineData("0193f4c2-0000-7000-8000-000000000000")]
    public async Task UnknownClaimHistoryReturns404Problem(string idOrSlug)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/claims/{idOrSlug}/history", Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Claim not found", problem.GetProperty("title").GetString());
        Assert.Contains(idOrSlug, problem.GetProperty("detail").GetString());
    }

    /// <summary>A claim with one appearance in one source.</summary>
    private async Task<(Claim Claim, Guid AppearanceId, Guid SourceId)> AddClaimAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var slug = $"test-claim-{Guid.NewGuid():N}";
        var subject = new Entity { Slug = $"test-subject-{Guid.NewGuid():N}", Name = "Subject", CreatedAt = now, UpdatedAt = now };
        var source = new Source { Kind = SourceKind.Statement, Title = "A statement", CreatedAt = now, UpdatedAt = now };
        var claim = new Claim
        {
            Slug = slug, Statement = $"Statement of {slug}.", Kind = ClaimKind.Assertion, Subject = subject,
            CreatedAt = now, UpdatedAt = now,
        };
        var appearance = new Appearance
        {
            Claim = claim, Source = source, Stance = Stance.Asserts, CreatedAt = now,
            Quote = new Quote { Exact = "It is so.", Anchor = AnchorState.Unanchored },
        };
        await using var db = app.CreateDbContext();
        db.AddRange(subject, source, claim, appearance);
        await db.SaveChangesAsync(Ct);
        return (claim, appearance.Id, source.Id);
    }

    private async Task ChangeStatusAsync(
        Guid claimId, ClaimStatus to, string reason, Guid[] evidenceAppearanceIds, Guid[] evidenceSourceIds)
    {
        await using var db = app.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        var from = await db.Claims.Where(c => c.Id == claimId).Select(c => c.Status).SingleAsync(Ct);
        await StatusHistory.WriteAsync(db, claimId, expectedVersion: null,
            new StatusMove(from, to, reason, evidenceAppearanceIds, evidenceSourceIds, "desk", DateTimeOffset.UtcNow), Ct);
        await transaction.CommitAsync(Ct);
    }
}
