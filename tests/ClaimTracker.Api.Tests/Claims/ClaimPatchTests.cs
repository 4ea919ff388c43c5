using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Tests.Infrastructure;
using Npgsql;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>What a merge patch changes, and which patches are refused.</summary>
public sealed class ClaimPatchTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PatchChangesOnlyTheNamedFieldsAndReturnsTheNewETag()
    {
        var (claim, subject, claimant) = await app.AddPatchableClaimAsync();
        var before = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{claim.Id}");
        var etag = await app.ETagOfAsync(claim);

        using var response = await app.PatchAsync(claim, """{ "statement": "ByteDance plans to spend about $12 billion on AI chips." }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal("ByteDance plans to spend about $12 billion on AI chips.", body.Statement);
        Assert.True(body.UpdatedAt > before.UpdatedAt);
        Assert.Equal(before with
        {
            Statement = body.Statement, Statements = body.Statements, UpdatedAt = body.UpdatedAt, Tags = body.Tags, Parts = body.Parts,
            Appearances = body.Appearances,
        }, body);
        Assert.Equal(new Dictionary<string, string> { ["en"] = body.Statement }, body.Statements); // statements.en follows statement
        Assert.Equal(before.Tags, body.Tags);
        Assert.NotEqual(etag, response.Headers.ETag);
        Assert.Equal(await app.ETagOfAsync(claim), response.Headers.ETag);

        var stored = await app.StoredClaimAsync(claim);
        Assert.Equal(body.Statement, stored.Statement);
        Assert.Equal((subject.Id, claimant.Id, ClaimStatus.Unverified), (stored.SubjectId, stored.ClaimantId, stored.Status));
        Assert.Equal(12_000_000_000m, stored.Quantity!.Amount);
    }

    [Fact]
    public async Task NullClearsOptionalFieldsAndReferencesResolveByIdOrSlug()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var other = await app.AddEntityAsync("other");

        using var response = await app.PatchAsync(claim,
            $$"""{ "claimant": null, "tags": null, "subject": "{{other.Slug}}", "partOf": "bytedance-ai-chips-budget-2025" }""",
            "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.StoredClaimAsync(claim);
        Assert.Null(stored.ClaimantId);
        Assert.Empty(stored.Tags);
        Assert.Equal(other.Id, stored.SubjectId);
        Assert.NotNull(stored.PartOfId);
    }

    [Fact]
    public async Task QuantityIsMergedFieldByField()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();

        using var response = await app.PatchAsync(claim, """{ "quantity": { "approximate": true, "scope": null, "upperBound": 13000000000 } }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(new QuantityResponse(12_000_000_000m, "USD", true, "2025", null, null, 13_000_000_000m), body.Quantity);
        var stored = (await app.StoredClaimAsync(claim)).Quantity!;
        Assert.Equal((true, null, 13_000_000_000m, "USD"), (stored.Approximate, stored.Scope, stored.UpperBound, stored.Unit));
    }

    [Fact]
    public async Task ChangingTheKindMeansSendingTheNewKindsFieldsAndNullingTheOld()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();

        using var response = await app.PatchAsync(claim, """{ "kind": "event", "quantity": null, "occurredOn": "2025-01-19" }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.StoredClaimAsync(claim);
        Assert.Equal((ClaimKind.Event, new DateOnly(2025, 1, 19), DatePrecision.Day), (stored.Kind, stored.OccurredOn, stored.DatePrecision));
        Assert.Null(stored.Quantity);
    }

    [Theory]
    [InlineData("""{ "statement": null }""", "statement")]
    [InlineData("""{ "slug": null }""", "slug")]
    [InlineData("""{ "subject": null }""", "subject")]
    [InlineData("""{ "kind": null }""", "kind")]
    [InlineData("""{ "quantity": null }""", "quantity")]
    [InlineData("""{ "quantity": { "unit": null } }""", "quantity.unit")]
    [InlineData("""{ "quantity": { "amount": "lots" } }""", "quantity.amount")]
    [InlineData("""{ "quantity": { "currency": "USD" } }""", "quantity.currency")]
    [InlineData("""{ "kind": "event", "quantity": null }""", "occurredOn")]
    [InlineData("""{ "kind": "assertion" }""", "quantity")]
    [InlineData("""{ "slug": "Not A Slug" }""", "slug")]
    [InlineData("""{ "tags": ["Budget"] }""", "tags")]
    [InlineData("""{ "statement": 42 }""", "statement")]
    [InlineData("""{ "status": "confirmed" }""", "status")]
    [InlineData("""{ "statusReason": "Because." }""", "statusReason")]
    [InlineData("""{ "id": "0193f4c2-0000-7000-8000-000000000000" }""", "id")]
    [InlineData("""{ "updatedAt": "2025-01-22T00:00:00Z" }""", "updatedAt")]
    [InlineData("""{ "verdict": true }""", "verdict")]
    [InlineData("""{ "Statement": "Wrong case." }""", "Statement")]
    [InlineData("""{ "statement": "One.", "statement": "Two." }""", "$")]
    [InlineData("""[{ "op": "replace", "path": "/statement", "value": "JSON Patch." }]""", "$")]
    [InlineData("null", "$")]
    [InlineData("{ \"statement\": ", "$")]
    [InlineData("", "$")]
    public async Task InvalidPatchIs400NamingTheFieldAndChangesNothing(string json, string field)
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var before = await app.StoredClaimAsync(claim);

        using var response = await app.PatchAsync(claim, json);

        var problem = await Problems.AssertValidationProblemAsync(response, field);
        if (field is "status") Assert.Contains("/status", problem.GetProperty("errors").GetProperty("status")[0].GetString());
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task EmptyPatchIs200AndChangesNothing()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var before = await app.StoredClaimAsync(claim);
        var etag = await app.ETagOfAsync(claim);

        using var response = await app.PatchAsync(claim, "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Equal(claim.Statement, (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!.Statement);
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task EverySeededClaimSatisfiesTheRulesSoAnEmptyPatchChangesNothing()
    {
        foreach (var seeded in StoryData.Claims)
        {
            var claim = await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{seeded.Slug}");
            var stored = await app.StoredClaimAsync(new Claim { Id = claim.Id, Slug = claim.Slug, Statement = claim.Statement });

            using var response = await app.PatchAsync(stored, "{}");

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{seeded.Slug}: {await response.Content.ReadAsStringAsync(Ct)}");
            await app.AssertClaimUnchangedAsync(stored);
        }
    }

    [Fact]
    public async Task PartOfItselfOrOfItsOwnPartIs422AndChangesNothing()
    {
        var (total, subject, _) = await app.AddPatchableClaimAsync();
        var part = (await app.AddClaimsAsync(subject, 1, (_, c) => c.PartOfId = total.Id))[0];
        var subPart = (await app.AddClaimsAsync(subject, 1, (_, c) => c.PartOfId = part.Id))[0];
        var before = await app.StoredClaimAsync(total);

        using var itself = await app.PatchAsync(total, $$"""{ "partOf": "{{total.Slug}}" }""");
        using var cycle = await app.PatchAsync(total, $$"""{ "partOf": "{{subPart.Id}}" }""");

        foreach (var response in new[] { itself, cycle })
        {
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("/problems/part-of-cycle", problem.GetProperty("type").GetString());
            Assert.StartsWith("partOf: ", problem.GetProperty("detail").GetString());
        }
        await app.AssertClaimUnchangedAsync(before);
        Assert.Null(before.PartOfId);
    }

    [Fact]
    public async Task ACycleMadeByAConcurrentPatchIsFoundUnderThePartOfLockAndChangesNothing()
    {
        var (a, subject, _) = await app.AddPatchableClaimAsync();
        var b = (await app.AddClaimsAsync(subject, 1))[0];
        var before = await app.StoredClaimAsync(a);
        await using var other = new NpgsqlConnection(app.ConnectionString);
        await other.OpenAsync(Ct);
        // Hold the lock that every patch setting partOf takes: "A under B" passes its first check, then waits here…
        await Sql(other, $"SELECT pg_advisory_lock({DatabaseLocks.PartOfKey})");
        var patch = app.PatchAsync(a, $$"""{ "partOf": "{{b.Id}}" }""");
        await LockWaiters.WaitForAsync(other, 1, patch);
        // …while "B under A", which passed its own check just as well, commits first.
        await Sql(other, $"UPDATE claims SET part_of_id = '{a.Id}' WHERE id = '{b.Id}'");
        await Sql(other, $"SELECT pg_advisory_unlock({DatabaseLocks.PartOfKey})");

        using var response = await patch;

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/part-of-cycle", problem.GetProperty("type").GetString());
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task APartAndItsParentPatchedAtOnceDoNotDeadlockOneWinsTheOtherIsToldItsETagChanged()
    {
        await using var other = new NpgsqlConnection(app.ConnectionString);
        var (part, parent) = await PartOfParentAsync(other);
        (await app.CreateClientAsync(Api.Auth.Role.Editor)).Dispose();
        // Line both up behind a lock on the lower id of the two. Each patch bumps the other claim (it shows the other's
        // statement); locking its own row first, each would then wait for the other's: a deadlock, every time.
        await using var hold = await other.BeginTransactionAsync(Ct);
        await Sql(other, $"SELECT 1 FROM claims WHERE id IN ('{part.Id}', '{parent.Id}') ORDER BY id LIMIT 1 FOR UPDATE");
        var patches = new[]
        {
            app.PatchAsync(part, """{ "statement": "The part, renamed." }"""),
            app.PatchAsync(parent, """{ "statement": "The parent, renamed." }"""),
        };
        await LockWaiters.WaitForAsync(other, 2, patches);
        await hold.RollbackAsync(Ct);

        var responses = await Task.WhenAll(patches);

        // Serialised in id order: the first commits and bumps the other, whose If-Match is then stale.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], responses.Select(r => r.StatusCode).Order());
        var winner = responses[0].StatusCode == HttpStatusCode.OK ? part : parent;
        var loser = winner == part ? parent : part;
        Assert.EndsWith("renamed.", (await app.StoredClaimAsync(winner)).Statement);
        Assert.DoesNotContain("renamed", (await app.StoredClaimAsync(loser)).Statement);
        foreach (var response in responses) response.Dispose();
    }

    [Fact]
    public async Task APatchPostgreSqlRollsBackToBreakADeadlockIs409WriteConflictAndChangesNothing()
    {
        await using var other = new NpgsqlConnection(app.ConnectionString);
        var (part, parent) = await PartOfParentAsync(other);
        var before = await app.StoredClaimAsync(part);
        // Another writer that locks the two claims in the opposite order (higher id first). Each waiting session checks for
        // a deadlock after its own deadlock_timeout: the API's after the default 1 s, this one's after 60 s, so PostgreSQL
        // rolls back the API's transaction.
        await using var hold = await other.BeginTransactionAsync(Ct);
        await Sql(other, "SET LOCAL deadlock_timeout = '60s'");
        await Sql(other, $"SELECT 1 FROM claims WHERE id IN ('{part.Id}', '{parent.Id}') ORDER BY id DESC LIMIT 1 FOR UPDATE");
        var patch = app.PatchAsync(part, """{ "statement": "The part, renamed." }""");
        await LockWaiters.WaitForAsync(other, 1, patch);
        await Sql(other, $"SELECT 1 FROM claims WHERE id IN ('{part.Id}', '{parent.Id}') ORDER BY id LIMIT 1 FOR UPDATE");
        await hold.RollbackAsync(Ct);

        using var response = await patch;

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("/problems/write-conflict", problem.GetProperty("type").GetString());
        Assert.Contains("changed nothing", problem.GetProperty("detail").GetString());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        await app.AssertClaimUnchangedAsync(before);
    }

    /// <summary>A claim that is part of another; opens <paramref name="other"/>, the test's own connection, on the way.</summary>
    private async Task<(Claim Part, Claim Parent)> PartOfParentAsync(NpgsqlConnection other)
    {
        var (part, subject, _) = await app.AddPatchableClaimAsync();
        var parent = (await app.AddClaimsAsync(subject, 1))[0];
        await other.OpenAsync(Ct);
        await Sql(other, $"UPDATE claims SET part_of_id = '{parent.Id}' WHERE id = '{part.Id}'");
        return (part, parent);
    }

    private static async Task Sql(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task UnknownSubjectIs422AndChangesNothing()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var before = await app.StoredClaimAsync(claim);

        using var response = await app.PatchAsync(claim, """{ "subject": "no-such-entity" }""");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("/problems/unknown-entity", problem.GetProperty("type").GetString());
        Assert.Contains("no-such-entity", problem.GetProperty("detail").GetString());
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task SlugCanBeRenamedButNotToATakenOne()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var renamed = TestData.UniqueSlug("renamed");

        using var taken = await app.PatchAsync(claim, """{ "slug": "bytedance-ai-chips-budget-2025" }""");
        var problem = await Problems.AssertProblemAsync(taken, HttpStatusCode.Conflict);
        Assert.Equal("/problems/slug-taken", problem.GetProperty("type").GetString());
        Assert.Equal(claim.Slug, (await app.StoredClaimAsync(claim)).Slug);

        using var response = await app.PatchAsync(claim, $$"""{ "slug": "{{renamed}}" }""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(renamed, (await app.GetJsonAsync<ClaimDetailResponse>($"/api/v1/claims/{renamed}")).Slug);
    }
}
