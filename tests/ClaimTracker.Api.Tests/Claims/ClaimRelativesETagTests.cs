using System.Net;
using System.Net.Http.Headers;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>A claim's detail shows its parent and parts: when they are renamed or reworded, its ETag must change.</summary>
public sealed class ClaimRelativesETagTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<EntityTagHeaderValue> ETagOfAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/api/v1/claims/{id}", Ct);
        return response.Headers.ETag!;
    }

    [Fact]
    public async Task RewordingAPartChangesTheETagOfItsTotalAndNothingElse()
    {
        var subject = await app.AddEntityAsync();
        var (total, bystander) = ((await app.AddClaimsAsync(subject, 1))[0], (await app.AddClaimsAsync(subject, 1))[0]);
        var part = (await app.AddClaimsAsync(subject, 1, (_, c) => c.PartOfId = total.Id))[0];
        using var client = app.CreateClient();
        var (totalBefore, bystanderBefore) = (await ETagOfAsync(client, total.Id), await ETagOfAsync(client, bystander.Id));

        using var editor = await app.CreateClientAsync(Role.Editor);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{part.Id}")
        {
            Content = new StringContent("""{ "statement": "A reworded part." }""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        patch.Headers.IfMatch.Add(await ETagOfAsync(client, part.Id));
        using var patched = await editor.SendAsync(patch, Ct);

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.NotEqual(totalBefore, await ETagOfAsync(client, total.Id));
        Assert.Equal(bystanderBefore, await ETagOfAsync(client, bystander.Id));
        Assert.Contains("A reworded part.", await client.GetStringAsync($"/api/v1/claims/{total.Id}", Ct));
    }

    [Fact]
    public async Task CreatingAPartChangesTheETagOfItsTotalAndNothingElse()
    {
        var subject = await app.AddEntityAsync();
        var (total, bystander) = ((await app.AddClaimsAsync(subject, 1))[0], (await app.AddClaimsAsync(subject, 1))[0]);
        using var client = app.CreateClient();
        var (totalBefore, bystanderBefore) = (await ETagOfAsync(client, total.Id), await ETagOfAsync(client, bystander.Id));

        using var editor = await app.CreateClientAsync(Role.Editor);
        using var created = await editor.PostAsync("/api/v1/claims", new StringContent(
            $$"""{ "slug": "a-new-part-{{Guid.NewGuid():N}}", "statement": "A new part.", "kind": "assertion", "subject": "{{subject.Slug}}", "partOf": "{{total.Id}}" }""",
            System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // A client holding the total's old ETag must not be told "304 Not Modified": its parts changed.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/claims/{total.Id}");
        conditional.Headers.IfNoneMatch.Add(totalBefore);
        using var reread = await client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.OK, reread.StatusCode);
        Assert.Contains("A new part.", await reread.Content.ReadAsStringAsync(Ct));
        Assert.NotEqual(totalBefore, reread.Headers.ETag);
        Assert.Equal(bystanderBefore, await ETagOfAsync(client, bystander.Id));
    }
}
