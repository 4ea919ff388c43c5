using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

public sealed class ClaimStatusTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Put(Claim claim, object body, EntityTagHeaderValue? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(ifMatch);
        return request;
    }

    private async Task<EntityTagHeaderValue> ETagOfAsync(Claim claim)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
        return response.Headers.ETag!;
    }

    private async Task<(ClaimStatus Status, int History)> StoredAsync(Claim claim)
    {
        await using var db = app.CreateDbContext();
        var status = await db.Claims.Where(c => c.Id == claim.Id).Select(c => c.Status).SingleAsync(Ct);
        return (status, await db.StatusChanges.CountAsync(c => c.ClaimId == claim.Id, Ct));
    }

    [Fact]
    public async Task EditorMarksAStatusWithEvidenceAndTheHistoryRecordsIt()
    {
        var (claim, appearanceId, _) = await app.AddClaimWithAppearanceAsync();
        var etag = await ETagOfAsync(claim);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new
        {
            status = "disputed", reason = "  The spokesperson denies it.  ", evidence = new[] { new { appearanceId } },
        }, etag), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(ClaimStatus.Disputed, body.Status);
        Assert.Equal("The spokesperson denies it.", body.StatusReason);
        Assert.NotEqual(etag, response.Headers.ETag);
        Assert.Equal(response.Headers.ETag, await ETagOfAsync(claim));

        await using var db = app.CreateDbContext();
        var change = await db.StatusChanges.SingleAsync(c => c.ClaimId == claim.Id, Ct);
        Assert.Equal((ClaimStatus.Unverified, ClaimStatus.Disputed), (change.From, change.To));
        Assert.Equal("test-editor", change.Actor);
        Assert.Equal([appearanceId], change.EvidenceAppearanceIds);
        Assert.Equal(body.StatusChangedAt, change.At);
        Assert.Null(HashChain.FirstBroken(await db.StatusChanges.OrderBy(c => c.Seq).ToListAsync(Ct)));
    }

    [Fact]
    public async Task AStatusChangeGoesStraightIntoTheGinIndexesLeavingNothingPendingForALaterWriteToMerge()
    {
        var (claim, appearanceId, _) = await app.AddClaimWithAppearanceAsync();
        await using var db = app.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("CREATE EXTENSION IF NOT EXISTS pgstattuple", Ct);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new
        {
            status = "confirmed", reason = "Checked.", evidence = new[] { new { appearanceId } },
        }, await ETagOfAsync(claim)), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var index in new[] { "ix_claims_search_vector", "ix_claims_tags" })
        {
            // With PostgreSQL's default (fastupdate on) the rewritten row's entries would wait here.
            var pending = await db.Database
                .SqlQuery<long>($"SELECT pending_tuples::bigint AS \"Value\" FROM pgstatginindex({index}::regclass)")
                .SingleAsync(Ct);
            Assert.Equal(0, pending);
        }
    }

    [Fact]
    public async Task MissingIfMatchIs428AndChangesNothing()
    {
        var (claim, _, sourceId) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Checking." }, null), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionRequired);
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Fact]
    public async Task WildcardIfMatchIsNotEnoughAndChangesNothing()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Checking." }, EntityTagHeaderValue.Any), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionRequired);
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Fact]
    public async Task StaleIfMatchIs412AndChangesNothing()
    {
        var (claim, _, sourceId) = await app.AddClaimWithAppearanceAsync();
        var stale = await ETagOfAsync(claim);
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (var first = await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Checking." }, stale), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var response = await editor.SendAsync(Put(claim, new
        {
            status = "confirmed", reason = "Verified.", evidence = new[] { new { sourceId } },
        }, stale), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal((ClaimStatus.InReview, 1), await StoredAsync(claim));
    }

    [Theory]
    [InlineData("confirmed")]
    [InlineData("disputed")]
    [InlineData("refuted")]
    [InlineData("retracted")]
    public async Task VerdictWithoutEvidenceIs422AndChangesNothing(string status)
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new { status, reason = "Because." }, await ETagOfAsync(claim)), Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/evidence-required", problem.GetProperty("type").GetString());
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Theory]
    [InlineData("in_review")]
    [InlineData("inconclusive")]
    [InlineData("unverified")]
    public async Task NonVerdictStatusesNeedNoEvidence(string status)
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);
        if (status == "unverified")
        {
            using var first = await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Checking." }, await ETagOfAsync(claim)), Ct);
        }

        using var response = await editor.SendAsync(Put(claim, new { status, reason = "Because." }, await ETagOfAsync(claim)), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(status, (await StoredAsync(claim)).Status switch
        {
            ClaimStatus.InReview => "in_review", ClaimStatus.Inconclusive => "inconclusive", var s => s.ToString().ToLowerInvariant(),
        });
    }

    [Fact]
    public async Task EvidenceFromAnotherClaimOrAnUnknownSourceIs422AndChangesNothing()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        var (_, otherAppearance, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new
        {
            status = "confirmed", reason = "Verified.",
            evidence = new object[] { new { appearanceId = otherAppearance }, new { sourceId = Guid.CreateVersion7() } },
        }, await ETagOfAsync(claim)), Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains(otherAppearance.ToString(), problem.GetProperty("detail").GetString());
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Fact]
    public async Task SettingTheCurrentStatusChangesNothingAndAddsNoHistory()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Checking." }, await ETagOfAsync(claim)), Ct))
        {
        }
        var etag = await ETagOfAsync(claim);

        using var response = await editor.SendAsync(Put(claim, new { status = "in_review", reason = "Still checking." }, etag), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Equal((ClaimStatus.InReview, 1), await StoredAsync(claim));
    }

    [Theory]
    [InlineData("""{ "status": "in_review", "reason": "" }""", "reason")]
    [InlineData("""{ "status": "in_review" }""", "reason")]
    [InlineData("""{ "status": "maybe", "reason": "x" }""", "status")]
    [InlineData("""{ "status": "in_review", "reason": "x", "evidence": [{ }] }""", "evidence")]
    [InlineData("""{ "status": "in_review", "reason": "x", "verdict": true }""", "verdict")]
    public async Task InvalidBodyIs400NamingTheFieldAndChangesNothing(string json, string field)
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.IfMatch.Add(await ETagOfAsync(claim));

        using var response = await editor.SendAsync(request, Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Fact]
    public async Task ReasonOver2000CharactersIsRejected()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(Put(claim, new { status = "in_review", reason = new string('x', 2001) }, await ETagOfAsync(claim)), Ct);

        await Problems.AssertValidationProblemAsync(response, "reason");
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403()
    {
        var (claim, _, _) = await app.AddClaimWithAppearanceAsync();
        var etag = await ETagOfAsync(claim);
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);

        using var unauthorized = await anonymous.SendAsync(Put(claim, new { status = "in_review", reason = "x" }, etag), Ct);
        using var forbidden = await reader.SendAsync(Put(claim, new { status = "in_review", reason = "x" }, etag), Ct);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", unauthorized.Headers.WwwAuthenticate.ToString());
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Equal((ClaimStatus.Unverified, 0), await StoredAsync(claim));
    }

    [Fact]
    public async Task OfTwentyConcurrentWritesWithOneETagExactlyOneWins()
    {
        var (claim, appearanceId, _) = await app.AddClaimWithAppearanceAsync();
        var etag = await ETagOfAsync(claim);
        using var editor = await app.CreateClientAsync(Role.Editor);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await editor.SendAsync(Put(claim, new
            {
                status = i % 2 == 0 ? "confirmed" : "disputed", reason = $"Writer {i}.", evidence = new[] { new { appearanceId } },
            }, etag), Ct);
            return response.StatusCode;
        }));

        Assert.Equal(1, responses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(19, responses.Count(s => s == HttpStatusCode.PreconditionFailed));
        Assert.Equal(1, (await StoredAsync(claim)).History);
        await using var db = app.CreateDbContext();
        var seqs = await db.StatusChanges.OrderBy(c => c.Seq).Select(c => c.Seq).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs); // gapless
    }
}
