using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Sources;

public sealed class SourceETagTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(ifNoneMatch);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task ANewStatusOfAClaimQuotedInTheSourceChangesTheSourcesETag()
    {
        var (claim, _, sourceId) = await app.AddClaimWithAppearanceAsync();
        using var client = app.CreateClient();
        using var first = await GetAsync(client, $"/api/v1/sources/{sourceId}");
        var sourceETag = first.Headers.ETag!;
        using var claimResponse = await GetAsync(client, $"/api/v1/claims/{claim.Id}");

        using var editor = await app.CreateClientAsync(Role.Editor);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/claims/{claim.Id}/status")
        {
            Content = JsonContent.Create(new { status = "in_review", reason = "Checking." }),
        };
        put.Headers.IfMatch.Add(claimResponse.Headers.ETag!);
        using (var changed = await editor.SendAsync(put, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using var after = await GetAsync(client, $"/api/v1/sources/{sourceId}", sourceETag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(sourceETag, after.Headers.ETag);
        Assert.Contains("\"in_review\"", await after.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task TheDetailETagIsTheOneAContentRevisionAccepts()
    {
        var (_, _, sourceId) = await app.AddClaimWithAppearanceAsync();
        using var client = app.CreateClient();
        using var detail = await GetAsync(client, $"/api/v1/sources/{sourceId}");
        using var unchanged = await GetAsync(client, $"/api/v1/sources/{sourceId}", detail.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);

        using var editor = await app.CreateClientAsync(Role.Editor);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{sourceId}/content")
        {
            Content = JsonContent.Create(new { content = "Il portavoce ha ribadito che le informazioni non sono corrette." }),
        };
        put.Headers.IfMatch.Add(detail.Headers.ETag!);
        using var revised = await editor.SendAsync(put, Ct);

        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        using var now = await GetAsync(client, $"/api/v1/sources/{sourceId}");
        Assert.Equal(now.Headers.ETag, revised.Headers.ETag);
    }
}
