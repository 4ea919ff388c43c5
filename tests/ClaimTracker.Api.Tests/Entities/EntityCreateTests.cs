using System.Net;
using System.Net.Http.Json;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Entities;

public sealed class EntityCreateTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<int> CountAsync()
    {
        await using var db = app.CreateDbContext();
        return await db.Entities.CountAsync(Ct);
    }

    [Fact]
    public async Task EditorCreatesAnEntityWithAliasesAndReadsItBackAtItsLocation()
    {
        var slug = TestData.UniqueSlug("cambricon");
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsJsonAsync("/api/v1/entities", new
        {
            slug, name = "  Cambricon Technologies ", kind = "organization", aliases = new[] { " Cambricon ", "寒武纪" },
            description = "Chinese AI-chip maker.",
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/entities/{slug}", response.Headers.Location?.OriginalString);
        var body = (await response.Content.ReadFromJsonAsync<EntityDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((slug, "Cambricon Technologies", EntityKind.Organization, "Chinese AI-chip maker."),
            (body.Slug, body.Name, body.Kind, body.Description));
        Assert.Equal(["Cambricon", "寒武纪"], body.Aliases);
        Assert.Equal(new EntityClaimCounts(0, 0), body.Claims);
        Assert.Equal(body.CreatedAt, body.UpdatedAt);
        using var reader = app.CreateClient();
        using var get = await reader.GetAsync(response.Headers.Location, Ct);
        Assert.Equal(await response.Content.ReadAsStringAsync(Ct), await get.Content.ReadAsStringAsync(Ct));

        await using var db = app.CreateDbContext();
        var stored = await db.Entities.SingleAsync(e => e.Slug == slug, Ct);
        Assert.Equal((body.Id, "Cambricon Technologies", EntityKind.Organization), (stored.Id, stored.Name, stored.Kind));
        Assert.Equal(["Cambricon", "寒武纪"], stored.Aliases);
    }

    [Fact]
    public async Task NewEntityIsFoundByAnAliasAndCanBeTheSubjectOfClaims()
    {
        var slug = TestData.UniqueSlug("corte");
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (var created = await editor.PostAsJsonAsync("/api/v1/entities",
                   new { slug, name = "Tribunale di Test", kind = "court", aliases = new[] { "Tribunale zeta-test" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await app.GetJsonAsync<Page<EntityListItem>>("/api/v1/entities?q=tribunale%20zeta");

        var found = Assert.Single(page.Items);
        Assert.Equal((slug, EntityKind.Court), (found.Slug, found.Kind));
        Assert.Empty((await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/entities/{slug}/claims")).Items);
    }

    [Fact]
    public async Task EntityWithoutAliasesOrDescriptionHasAnEmptyAliasListAndNoDescription()
    {
        var slug = TestData.UniqueSlug("person");
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsync("/api/v1/entities", Json($$"""{ "slug": "{{slug}}", "name": "A Spokesperson", "kind": "person" }"""), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<EntityDetailResponse>(ClaimTrackerApp.Json, Ct))!;
        Assert.Equal((0, (string?)null), (body.Aliases.Count, body.Description));
    }

    [Fact]
    public async Task TakenSlugIs409AndChangesNothing()
    {
        var before = await CountAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsJsonAsync("/api/v1/entities", new { slug = "bytedance", name = "Another ByteDance", kind = "product" }, Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("/problems/slug-taken", problem.GetProperty("type").GetString());
        Assert.Contains("bytedance", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountAsync());
        await using var db = app.CreateDbContext();
        var seeded = await db.Entities.SingleAsync(e => e.Slug == "bytedance", Ct);
        Assert.Equal((EntityKind.Organization, "ByteDance"), (seeded.Kind, seeded.Name));
    }

    [Fact]
    public async Task OfTenConcurrentCreatesWithOneSlugExactlyOneSucceedsAndTheRestAre409()
    {
        var slug = TestData.UniqueSlug("race");
        var before = await CountAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await editor.PostAsJsonAsync("/api/v1/entities", new { slug, name = $"Writer {i}", kind = "organization" }, Ct);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict);
                Assert.Equal("/problems/slug-taken", problem.GetProperty("type").GetString());
            }
            return response.StatusCode;
        }));

        Assert.Equal(1, responses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(before + 1, await CountAsync());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{ "name": "No slug", "kind": "person" }""", "slug" },
        { """{ "slug": "ByteDance", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "-bytedance", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "byte--dance", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "bytedance-", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "byte dance", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "bytedance_ltd", "name": "N", "kind": "person" }""", "slug" },
        { $$"""{ "slug": "{{new string('a', 101)}}", "name": "N", "kind": "person" }""", "slug" },
        { """{ "slug": "no-name", "kind": "person" }""", "name" },
        { """{ "slug": "blank-name", "name": "  ", "kind": "person" }""", "name" },
        { $$"""{ "slug": "long-name", "name": "{{new string('n', 201)}}", "kind": "person" }""", "name" },
        { """{ "slug": "no-kind", "name": "N" }""", "kind" },
        { """{ "slug": "bad-kind", "name": "N", "kind": "company" }""", "kind" },
        { $$"""{ "slug": "many-aliases", "name": "N", "kind": "person", "aliases": [{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"alias {i}\""))}}] }""", "aliases" },
        { """{ "slug": "empty-alias", "name": "N", "kind": "person", "aliases": ["ok", " "] }""", "aliases[1]" },
        { """{ "slug": "null-alias", "name": "N", "kind": "person", "aliases": [null] }""", "aliases[0]" },
        { $$"""{ "slug": "long-alias", "name": "N", "kind": "person", "aliases": ["{{new string('a', 201)}}"] }""", "aliases[0]" },
        { """{ "slug": "twin-alias", "name": "N", "kind": "court", "aliases": ["Corte Suprema", "corte suprema "] }""", "aliases[1]" },
        { $$"""{ "slug": "long-description", "name": "N", "kind": "person", "description": "{{new string('d', 4001)}}" }""", "description" },
        { """{ "slug": "unknown-field", "name": "N", "kind": "person", "website": "https://example.com" }""", "website" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidBodyIs400NamingTheFieldAndAddsNothing(string json, string field)
    {
        var before = await CountAsync();
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.PostAsync("/api/v1/entities", Json(json), Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingIsAdded()
    {
        var before = await CountAsync();
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);
        var body = new { slug = TestData.UniqueSlug("denied"), name = "N", kind = "person" };

        using var unauthorized = await anonymous.PostAsJsonAsync("/api/v1/entities", body, Ct);
        using var forbidden = await reader.PostAsJsonAsync("/api/v1/entities", body, Ct);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", unauthorized.Headers.WwwAuthenticate.ToString());
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Equal(before, await CountAsync());
    }
}
