using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

public sealed class ClaimCreateTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string SeededTotal = "bytedance-ai-chips-budget-2025";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> PostAsync(object body, Role role = Role.Editor)
    {
        using var client = await app.CreateClientAsync(role);
        return await client.PostAsJsonAsync("/api/v1/claims", body, Ct);
    }

    private async Task<int> ClaimCountAsync()
    {
        await using var db = app.CreateDbContext();
        return await db.Claims.CountAsync(Ct);
    }

    private async Task<Claim> StoredAsync(string slug)
    {
        await using var db = app.CreateDbContext();
        return await db.Claims.AsNoTracking().SingleAsync(c => c.Slug == slug, Ct);
    }

    [Fact]
    public async Task QuantityClaimIsCreatedUnverifiedWithLocationETagAndItsRow()
    {
        var subject = await app.AddEntityAsync("bytedance");
        var claimant = await app.AddEntityAsync("reuters");
        var slug = TestData.UniqueSlug("abroad");

        using var response = await PostAsync(new
        {
            slug, statement = "  ByteDance plans to spend $6.8 billion on AI infrastructure abroad in 2025.  ", kind = "quantity",
            subject = subject.Slug, claimant = claimant.Id, partOf = SeededTotal, tags = new[] { "ai-chips", "budget", "ai-chips" },
            quantity = new { amount = 6_800_000_000m, unit = "USD", period = "2025", scope = "abroad", lowerBound = 6_500_000_000m },
            // The seeded story tracks this claim already: the editor says this one is another (else 409 possible-duplicate).
            notDuplicateOf = new[] { "bytedance-ai-chips-abroad-2025" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/claims/{slug}", response.Headers.Location?.OriginalString);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal("ByteDance plans to spend $6.8 billion on AI infrastructure abroad in 2025.", body.Statement);
        Assert.Equal((ClaimKind.Quantity, ClaimStatus.Unverified), (body.Kind, body.Status));
        Assert.Equal(subject.Id, body.Subject.Id);
        Assert.Equal(claimant.Slug, body.Claimant!.Slug);
        Assert.Equal(SeededTotal, body.PartOf!.Slug);
        Assert.Equal(["ai-chips", "budget"], body.Tags);
        Assert.Equal(new QuantityResponse(6_800_000_000m, "USD", false, "2025", "abroad", 6_500_000_000m, null), body.Quantity);
        Assert.Null(body.StatusReason);
        Assert.Empty(body.Appearances);
        Assert.Equal(body.CreatedAt, body.UpdatedAt);

        using var reader = app.CreateClient();
        using var read = await reader.GetAsync(response.Headers.Location, Ct);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(read.Headers.ETag, response.Headers.ETag);

        var stored = await StoredAsync(slug);
        Assert.Equal((body.Id, subject.Id, claimant.Id, ClaimStatus.Unverified), (stored.Id, stored.SubjectId, stored.ClaimantId, stored.Status));
        Assert.Equal(["ai-chips", "budget"], stored.Tags);
        await using var db = app.CreateDbContext();
        Assert.False(await db.StatusChanges.AnyAsync(c => c.ClaimId == stored.Id, Ct));
        Assert.Contains(await db.Claims.Where(c => c.Slug == SeededTotal).SelectMany(c => c.Parts).Select(p => p.Slug).ToListAsync(Ct), s => s == slug);
    }

    [Fact]
    public async Task EventClaimDefaultsToDayPrecision()
    {
        var subject = await app.AddEntityAsync();
        var slug = TestData.UniqueSlug("ban");

        using var response = await PostAsync(new
        {
            slug, statement = "TikTok was banned across the US.", kind = "event", subject = subject.Id, occurredOn = "2025-01-19",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((new DateOnly(2025, 1, 19), DatePrecision.Day), (body.OccurredOn, body.DatePrecision));
        Assert.Null(body.Quantity);
        var stored = await StoredAsync(slug);
        Assert.Equal((ClaimKind.Event, new DateOnly(2025, 1, 19), DatePrecision.Day), (stored.Kind, stored.OccurredOn, stored.DatePrecision));
    }

    [Fact]
    public async Task EventClaimKeepsAGivenPrecision()
    {
        var subject = await app.AddEntityAsync();

        using var response = await PostAsync(new
        {
            slug = TestData.UniqueSlug("chips"), statement = "ByteDance said it is building its own AI chips.", kind = "event",
            subject = subject.Slug, occurredOn = "2024-09-01", datePrecision = "month",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal(DatePrecision.Month, body.DatePrecision);
    }

    [Fact]
    public async Task AssertionNeedsOnlySlugStatementKindAndSubject()
    {
        var subject = await app.AddEntityAsync();
        var slug = TestData.UniqueSlug("assertion");

        using var response = await PostAsync(new { slug, statement = "Apple had not restored TikTok.", kind = "assertion", subject = subject.Slug });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ClaimDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((ClaimKind.Assertion, (EntityRef?)null, (ClaimRef?)null), (body.Kind, body.Claimant, body.PartOf));
        Assert.Empty(body.Tags);
        Assert.Equal((DateOnly?)null, body.OccurredOn);
        Assert.Equal((DatePrecision?)null, body.DatePrecision);
        Assert.Equal(slug, (await StoredAsync(slug)).Slug);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{ "statement": "S.", "kind": "assertion", "subject": "{subject}" }""", "slug" },
        { """{ "slug": "Bad Slug", "statement": "S.", "kind": "assertion", "subject": "{subject}" }""", "slug" },
        { """{ "slug": "double--hyphen", "statement": "S.", "kind": "assertion", "subject": "{subject}" }""", "slug" },
        { """{ "slug": "trailing-", "statement": "S.", "kind": "assertion", "subject": "{subject}" }""", "slug" },
        { $$"""{ "slug": "{{new string('a', 101)}}", "statement": "S.", "kind": "assertion", "subject": "{subject}" }""", "slug" },
        { """{ "slug": "{slug}", "statement": " ", "kind": "assertion", "subject": "{subject}" }""", "statement" },
        { $$"""{ "slug": "{slug}", "statement": "{{new string('s', 1001)}}", "kind": "assertion", "subject": "{subject}" }""", "statement" },
        { """{ "slug": "{slug}", "statement": "S.", "subject": "{subject}" }""", "kind" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "opinion", "subject": "{subject}" }""", "kind" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion" }""", "subject" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "" }""", "subject" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "claimant": " " }""", "claimant" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "tags": ["AI"] }""", "tags" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "tags": [""] }""", "tags" },
        { $$"""{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "tags": ["{{new string('t', 65)}}"] }""", "tags" },
        { $$"""{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "tags": [{{string.Join(", ", Enumerable.Range(0, 21).Select(i => $"\"t{i}\""))}}] }""", "tags" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}" }""", "quantity" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "unit": "USD" } }""", "quantity.amount" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "amount": 1 } }""", "quantity.unit" },
        { $$"""{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "amount": 1, "unit": "{{new string('u', 33)}}" } }""", "quantity.unit" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "amount": 1, "unit": "USD", "lowerBound": 2 } }""", "quantity.lowerBound" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "amount": 3, "unit": "USD", "upperBound": 2 } }""", "quantity.upperBound" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "quantity", "subject": "{subject}", "quantity": { "amount": 1, "unit": "USD", "currency": "x" } }""", "quantity.currency" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "quantity": { "amount": 1, "unit": "USD" } }""", "quantity" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "event", "subject": "{subject}" }""", "occurredOn" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "event", "subject": "{subject}", "occurredOn": "19 January 2025" }""", "occurredOn" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "event", "subject": "{subject}", "occurredOn": "2025-01-19", "datePrecision": "week" }""", "datePrecision" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "occurredOn": "2025-01-19" }""", "occurredOn" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "datePrecision": "day" }""", "datePrecision" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "status": "confirmed" }""", "status" },
        { """{ "slug": "{slug}", "statement": "S.", "kind": "assertion", "subject": "{subject}", "verdict": true }""", "verdict" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidFieldIs400NamingTheFieldAndCreatesNothing(string json, string field)
    {
        var subject = await app.AddEntityAsync();
        var before = await ClaimCountAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsync("/api/v1/claims",
            Json(json.Replace("{subject}", subject.Slug).Replace("{slug}", TestData.UniqueSlug("invalid"))), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await ClaimCountAsync());
    }

    [Theory]
    [InlineData("subject", "no-such-entity", "/problems/unknown-entity")]
    [InlineData("claimant", "0193f4c2-0000-7000-8000-000000000000", "/problems/unknown-entity")]
    [InlineData("partOf", "no-such-claim", "/problems/unknown-claim")]
    public async Task UnknownReferenceIs422NamingItAndCreatesNothing(string field, string value, string type)
    {
        var subject = await app.AddEntityAsync();
        var body = new JsonObject
        {
            ["slug"] = TestData.UniqueSlug("dangling"), ["statement"] = "S.", ["kind"] = "assertion", ["subject"] = subject.Slug,
        };
        body[field] = value;
        var before = await ClaimCountAsync();

        using var response = await PostAsync(body);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Contains($"{field}: ", problem.GetProperty("detail").GetString());
        Assert.Contains(value, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await ClaimCountAsync());
    }

    [Fact]
    public async Task TakenSlugIs409AndCreatesNothing()
    {
        var subject = await app.AddEntityAsync();
        var before = await ClaimCountAsync();

        using var response = await PostAsync(new { slug = SeededTotal, statement = "Another.", kind = "assertion", subject = subject.Slug });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("/problems/slug-taken", problem.GetProperty("type").GetString());
        Assert.Contains(SeededTotal, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await ClaimCountAsync());
        Assert.Equal("ByteDance plans to spend about $12 billion on AI chips in 2025.", (await StoredAsync(SeededTotal)).Statement);
    }

    [Fact]
    public async Task OfTenConcurrentCreatesOfOneSlugOneIsCreatedAndTheOthersAre409()
    {
        var subject = await app.AddEntityAsync();
        var slug = TestData.UniqueSlug("race");
        using var editor = await app.CreateClientAsync(Role.Editor);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await editor.PostAsJsonAsync("/api/v1/claims",
                new { slug, statement = $"Writer {i}.", kind = "assertion", subject = subject.Slug }, Ct);
            return response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.Conflict));
        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.Claims.CountAsync(c => c.Slug == slug, Ct));
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingIsCreated()
    {
        var subject = await app.AddEntityAsync();
        var body = new { slug = TestData.UniqueSlug("refused"), statement = "S.", kind = "assertion", subject = subject.Slug };
        var before = await ClaimCountAsync();
        using var anonymous = app.CreateClient();

        using var unauthorized = await anonymous.PostAsJsonAsync("/api/v1/claims", body, Ct);
        using var forbidden = await PostAsync(body, Role.Reader);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Equal(before, await ClaimCountAsync());
    }

    [Fact]
    public async Task NonJsonBodyIs415AndCreatesNothing()
    {
        var before = await ClaimCountAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsync("/api/v1/claims", new StringContent("slug=x", Encoding.UTF8, "text/plain"), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await ClaimCountAsync());
    }
}
