using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>What a patch must bring before it is applied: If-Match, a merge-patch body, an editor's key.</summary>
public sealed class ClaimPatchPreconditionTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MissingOrWildcardIfMatchIs428AndStaleIs412AndNothingChanges()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var stale = await app.ETagOfAsync(claim);
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (var first = await editor.SendAsync(ClaimPatching.Request(claim, """{ "statement": "First." }""", stale), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var before = await app.StoredClaimAsync(claim);

        using var missing = await editor.SendAsync(ClaimPatching.Request(claim, """{ "statement": "Second." }""", null), Ct);
        using var wildcard = await editor.SendAsync(ClaimPatching.Request(claim, """{ "statement": "Second." }""", EntityTagHeaderValue.Any), Ct);
        using var staleResponse = await editor.SendAsync(ClaimPatching.Request(claim, """{ "statement": "Second." }""", stale), Ct);

        await Problems.AssertProblemAsync(missing, HttpStatusCode.PreconditionRequired);
        await Problems.AssertProblemAsync(wildcard, HttpStatusCode.PreconditionRequired);
        await Problems.AssertProblemAsync(staleResponse, HttpStatusCode.PreconditionFailed);
        await app.AssertClaimUnchangedAsync(before);
        Assert.Equal("First.", before.Statement);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json-patch+json")]
    public async Task OtherContentTypesAre415AndChangeNothing(string contentType)
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var before = await app.StoredClaimAsync(claim);

        using var response = await app.PatchAsync(claim, """{ "statement": "Sent as something else." }""", contentType);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task UnknownClaimIs404()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/claims/no-such-claim")
        {
            Content = new StringContent("{}", Encoding.UTF8, ClaimPatching.MergePatch),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));

        using var response = await editor.SendAsync(request, Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingChanges()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var before = await app.StoredClaimAsync(claim);
        var etag = await app.ETagOfAsync(claim);
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);

        using var unauthorized = await anonymous.SendAsync(ClaimPatching.Request(claim, """{ "statement": "No." }""", etag), Ct);
        using var forbidden = await reader.SendAsync(ClaimPatching.Request(claim, """{ "statement": "No." }""", etag), Ct);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        await app.AssertClaimUnchangedAsync(before);
    }

    [Fact]
    public async Task OfTenConcurrentPatchesWithOneETagExactlyOneWins()
    {
        var (claim, _, _) = await app.AddPatchableClaimAsync();
        var etag = await app.ETagOfAsync(claim);
        using var editor = await app.CreateClientAsync(Role.Editor);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await editor.SendAsync(ClaimPatching.Request(claim, $$"""{ "statement": "Writer {{i}}." }""", etag), Ct);
            return (response.StatusCode, response.Headers.ETag);
        }));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        Assert.Equal(winner.ETag, await app.ETagOfAsync(claim));
        Assert.Matches("^Writer \\d\\.$", (await app.StoredClaimAsync(claim)).Statement);
    }
}
