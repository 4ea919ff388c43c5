using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using static ClaimTracker.Api.Tests.Sources.QuotedSources;

namespace ClaimTracker.Api.Tests.Sources;

/// <summary>`PUT /sources/{id}/content` requests that are refused, each leaving the source, its revisions and quotes as they were.</summary>
public sealed class SourceContentRejectionTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MissingIfMatchIs428AndChangesNothing()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var missing = await editor.SendAsync(PutContent(arranged.SourceId, new { content = "Nuovo testo." }, null), Ct);
        using var wildcard = await editor.SendAsync(PutContent(arranged.SourceId, new { content = "Nuovo testo." }, EntityTagHeaderValue.Any), Ct);

        await Problems.AssertProblemAsync(missing, HttpStatusCode.PreconditionRequired);
        await Problems.AssertProblemAsync(wildcard, HttpStatusCode.PreconditionRequired);
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }

    [Fact]
    public async Task StaleIfMatchIs412AndChangesNothing()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        var stale = await app.SourceETagAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);
        using (var first = await editor.SendAsync(PutContent(arranged.SourceId, new { content = "Premessa. " + Article }, stale), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = "Il portavoce tace." }, stale), Ct);

        await Problems.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }

    [Theory]
    [InlineData("0193f4c2-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task UnknownSourceIs404(string id)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{id}/content") { Content = JsonContent.Create(new { content = "Testo." }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));

        using var response = await editor.SendAsync(request, Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(id, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{ }""", "content")]
    [InlineData("""{ "content": "" }""", "content")]
    [InlineData("""{ "content": "   " }""", "content")]
    [InlineData("""{ "content": 42 }""", "content")]
    [InlineData("""{ "content": "Testo.", "revision": 3 }""", "revision")]
    public async Task InvalidBodyIs400NamingTheFieldAndChangesNothing(string json, string field)
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var request = PutContent(arranged.SourceId, new { }, await app.SourceETagAsync(arranged.SourceId));
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await editor.SendAsync(request, Ct);

        await Problems.AssertValidationProblemAsync(response, field);
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }

    [Fact]
    public async Task ContentOverTheLimitIs400AndChangesNothing()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);
        using var editor = await app.CreateClientAsync(Role.Editor);

        using var response = await editor.SendAsync(PutContent(arranged.SourceId, new { content = new string('x', 500_001) }, await app.SourceETagAsync(arranged.SourceId)), Ct);

        await Problems.AssertValidationProblemAsync(response, "content");
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }

    [Fact]
    public async Task AnonymousCallerIs401AndReaderIs403AndNothingChanges()
    {
        var arranged = await app.AddQuotedSourceAsync(Article, Denial);
        var etag = await app.SourceETagAsync(arranged.SourceId);
        var before = await app.StoredRevisionStateAsync(arranged.SourceId);
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);

        using var unauthorized = await anonymous.SendAsync(PutContent(arranged.SourceId, new { content = "Testo." }, etag), Ct);
        using var forbidden = await reader.SendAsync(PutContent(arranged.SourceId, new { content = "Testo." }, etag), Ct);

        await Problems.AssertProblemAsync(unauthorized, HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Equal(before, await app.StoredRevisionStateAsync(arranged.SourceId));
    }
}
