using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Matching;

/// <summary>
/// The guard on `POST /claims` and the links it leaves: a duplicate is refused with its candidates and nothing created;
/// `notDuplicateOf` creates it and records the decision; editors confirm or reject links, and a confirmed duplicate shows.
/// </summary>
public sealed class DuplicateGuardTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Body(string slug, string statement, string[]? notDuplicateOf = null) => new
    {
        slug, statement, kind = "assertion", subject = "bytedance", notDuplicateOf,
    };

    private async Task<int> CountAsync(string slug)
    {
        await using var db = app.CreateDbContext();
        return await db.Claims.CountAsync(c => c.Slug == slug, Ct);
    }

    [Fact]
    public async Task ADuplicateIs409WithItsCandidatesAndNothingIsCreated()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var slug = TestData.UniqueSlug("dup");
        int links;
        await using (var db = app.CreateDbContext()) links = await db.ClaimLinks.CountAsync(Ct);

        using var response = await editor.PostAsJsonAsync("/api/v1/claims",
            Body(slug, "ByteDance plans to spend around $12 billion on AI chips in 2025."), Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(ProblemTypes.PossibleDuplicate, problem.GetProperty("type").GetString());
        // The seeded budget claim, or a copy of it another test of this class created with notDuplicateOf (same database).
        var candidates = problem.GetProperty("candidates").EnumerateArray().ToList();
        var first = candidates[0];
        Assert.Equal("duplicate", first.GetProperty("verdict").GetString());
        Assert.Contains("$12 billion", first.GetProperty("statement").GetString());
        Assert.Contains(candidates, c => c.GetProperty("slug").GetString() == Budget);
        Assert.True(Guid.TryParse(first.GetProperty("id").GetString(), out _));
        Assert.InRange(first.GetProperty("score").GetDouble(), 0.5, 1);
        Assert.Equal(0, await CountAsync(slug));
        await using (var db = app.CreateDbContext()) Assert.Equal(links, await db.ClaimLinks.CountAsync(Ct));
    }

    [Fact]
    public async Task NotDuplicateOfCreatesItAndRecordsTheDecisionBesideTheSuggestions()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var slug = TestData.UniqueSlug("dup");

        using var created = await editor.PostAsJsonAsync("/api/v1/claims",
            Body(slug, "ByteDance plans to spend around $12 billion on AI chips in 2025.", [Budget]), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var links = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}/links", Ct);
        var items = links.GetProperty("items").EnumerateArray().ToList();
        var rejected = Assert.Single(items, l => l.GetProperty("other").GetProperty("slug").GetString() == Budget);
        Assert.Equal(("duplicate", "rejected"), (rejected.GetProperty("relation").GetString(), rejected.GetProperty("state").GetString()));
        Assert.False(string.IsNullOrEmpty(rejected.GetProperty("decidedBy").GetString()));
        Assert.NotEqual(JsonValueKind.Null, rejected.GetProperty("decidedAt").ValueKind);
        // The other candidates the matcher found stay as suggestions, for an editor to decide.
        Assert.Contains(items, l => l.GetProperty("state").GetString() == "suggested" && l.GetProperty("relation").GetString() == "related");
        Assert.Equal(JsonValueKind.Null, links.GetProperty("duplicateOf").ValueKind);
    }

    [Fact]
    public async Task TheStatementInAnotherLanguageIsCheckedToo()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        const string english = "ByteDance is said to have a chip budget, an Italian paper reports.";
        var italian = TestData.UniqueSlug("it");

        // The English says too little to be the budget claim; its Italian statement is the claim's own Italian words.
        using var refused = await editor.PostAsJsonAsync("/api/v1/claims", new
        {
            slug = italian, statement = english, kind = "assertion", subject = "bytedance",
            statements = new Dictionary<string, string> { ["it"] = "ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025." },
        }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var first = (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("candidates")[0];
        Assert.Equal((Budget, "duplicate"), (first.GetProperty("slug").GetString(), first.GetProperty("verdict").GetString()));
        Assert.Equal(0, await CountAsync(italian));

        // The English alone is created: the Italian statement is what the guard recognised.
        var slug = TestData.UniqueSlug("en");
        using var created = await editor.PostAsJsonAsync("/api/v1/claims", Body(slug, english), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task AnUnknownNotDuplicateOfIs400AndCreatesNothing()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var slug = TestData.UniqueSlug("dup");

        using var response = await editor.PostAsJsonAsync("/api/v1/claims",
            Body(slug, "ByteDance plans to spend around $12 billion on AI chips in 2025.", ["no-such-claim"]), Ct);

        await Problems.AssertValidationProblemAsync(response, "notDuplicateOf[0]");
        Assert.Equal(0, await CountAsync(slug));
    }

    [Fact]
    public async Task ADistinctClaimIsCreatedWithItsSuggestions()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var slug = TestData.UniqueSlug("new");

        // Same subject and topic, another figure: related, not a duplicate.
        using var created = await editor.PostAsJsonAsync("/api/v1/claims",
            Body(slug, "ByteDance plans to spend $20 billion on AI chips in 2026."), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var links = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}/links", Ct);
        Assert.All(links.GetProperty("items").EnumerateArray(), l => Assert.Equal("suggested", l.GetProperty("state").GetString()));
        Assert.Contains(links.GetProperty("items").EnumerateArray(), l => l.GetProperty("other").GetProperty("slug").GetString() == Budget);
    }

    [Fact]
    public async Task AnEditorConfirmsADuplicateAndItShowsThenReversesIt()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var slug = TestData.UniqueSlug("later");
        System.Net.Http.Headers.EntityTagHeaderValue? createdETag;
        using (var created = await editor.PostAsJsonAsync("/api/v1/claims",
                   Body(slug, "ByteDance says the reports on its AI budget are wrong, though AI investment matters to it."), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("duplicateOf").ValueKind);
            createdETag = created.Headers.ETag;
        }

        using var confirmed = await editor.PutAsJsonAsync($"/api/v1/claims/{slug}/links/bytedance-denies-budget-rumours",
            new { relation = "duplicate", state = "confirmed" }, Ct);
        Assert.True(confirmed.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created);
        var links = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}/links", Ct);
        Assert.Equal("bytedance-denies-budget-rumours", links.GetProperty("duplicateOf").GetProperty("slug").GetString());
        using (var detail = await editor.GetAsync($"/api/v1/claims/{slug}", Ct))
        {
            var body = await detail.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("bytedance-denies-budget-rumours", body.GetProperty("duplicateOf").GetProperty("slug").GetString());
            Assert.NotEqual(createdETag, detail.Headers.ETag); // the detail changed: so did its ETag
        }
        // A claim duplicates one claim: confirming a second is refused, and changes nothing.
        using (var second = await editor.PutAsJsonAsync($"/api/v1/claims/{slug}/links/bytedance-denies-anonymous-plan-report",
                   new { relation = "duplicate", state = "confirmed" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.Equal(ProblemTypes.AlreadyADuplicate, (await Problems.AssertProblemAsync(second, HttpStatusCode.Conflict)).GetProperty("type").GetString());
            var stillThere = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}/links", Ct);
            Assert.Equal("bytedance-denies-budget-rumours", stillThere.GetProperty("duplicateOf").GetProperty("slug").GetString());
            Assert.DoesNotContain(stillThere.GetProperty("items").EnumerateArray(),
                l => l.GetProperty("other").GetProperty("slug").GetString() == "bytedance-denies-anonymous-plan-report"
                     && l.GetProperty("state").GetString() == "confirmed");
        }
        // The original sees the link too, but is no one's duplicate.
        var original = await editor.GetFromJsonAsync<JsonElement>("/api/v1/claims/bytedance-denies-budget-rumours/links", Ct);
        Assert.Contains(original.GetProperty("items").EnumerateArray(), l => l.GetProperty("claim").GetProperty("slug").GetString() == slug);
        Assert.Equal(JsonValueKind.Null, original.GetProperty("duplicateOf").ValueKind);

        // Decided the other way round: one link per pair, replaced.
        using var reversed = await editor.PutAsJsonAsync($"/api/v1/claims/bytedance-denies-budget-rumours/links/{slug}",
            new { relation = "related", state = "rejected" }, Ct);
        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        var after = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}/links", Ct);
        Assert.Single(after.GetProperty("items").EnumerateArray(), l => l.GetProperty("claim").GetProperty("slug").GetString() == "bytedance-denies-budget-rumours");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("duplicateOf").ValueKind);
        var detailAfter = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{slug}", Ct);
        Assert.Equal(JsonValueKind.Null, detailAfter.GetProperty("duplicateOf").ValueKind);
    }

    [Theory]
    [InlineData("""{ "state": "confirmed" }""", "relation")]
    [InlineData("""{ "relation": "duplicate" }""", "state")]
    [InlineData("""{ "relation": "duplicate", "state": "suggested" }""", "state")]
    public async Task ABadLinkIs400(string json, string field)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var before = await LinkRowsAsync();
        using var response = await editor.PutAsync($"/api/v1/claims/{Budget}/links/bytedance-denies-budget-rumours",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await LinkRowsAsync());
    }

    [Fact]
    public async Task LinkingAClaimToItselfIs400ToAnUnknownOneIs404AndReadersCannotDecideAndNothingChanges()
    {
        var before = await LinkRowsAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);
        var link = new { relation = "duplicate", state = "confirmed" };

        using var self = await editor.PutAsJsonAsync($"/api/v1/claims/{Budget}/links/{Budget}", link, Ct);
        await Problems.AssertValidationProblemAsync(self, "otherIdOrSlug");
        using var unknownOther = await editor.PutAsJsonAsync($"/api/v1/claims/{Budget}/links/no-such-claim", link, Ct);
        Assert.Contains("no-such-claim", (await Problems.AssertProblemAsync(unknownOther, HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        using var unknownClaim = await editor.PutAsJsonAsync("/api/v1/claims/no-such-claim/links/bytedance-denies-budget-rumours", link, Ct);
        await Problems.AssertProblemAsync(unknownClaim, HttpStatusCode.NotFound);
        using var reader = await app.CreateClientAsync(Role.Reader);
        using var refused = await reader.PutAsJsonAsync($"/api/v1/claims/{Budget}/links/bytedance-denies-budget-rumours", link, Ct);
        await Problems.AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        using var anonymous = app.CreateClient();
        using var unauthenticated = await anonymous.PutAsJsonAsync($"/api/v1/claims/{Budget}/links/bytedance-denies-budget-rumours", link, Ct);
        await Problems.AssertProblemAsync(unauthenticated, HttpStatusCode.Unauthorized);

        Assert.Equal(before, await LinkRowsAsync());
    }

    [Fact]
    public async Task TheLinksOfAnUnknownClaimAre404()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/claims/no-such-claim/links", Ct);
        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    /// <summary>Every link row as text, to compare before and after a refused request.</summary>
    private async Task<List<string>> LinkRowsAsync()
    {
        await using var db = app.CreateDbContext();
        return [.. (await db.ClaimLinks.AsNoTracking().ToListAsync(Ct))
            .Select(l => $"{l.ClaimId} {l.OtherId} {l.Relation} {l.State} {l.Score} {l.DecidedBy} {l.DecidedAt:O}").Order()];
    }
}
