using System.Net;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>The API with one origin allowed to write (`Cors:WriteOrigins`), reads open to any.</summary>
public sealed class CrossOriginApp : ClaimTrackerApp
{
    public const string Desk = "https://desk.example.org";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Cors:WriteOrigins:0", Desk);
    }
}

/// <summary>
/// CORS as a browser sees it (preflights and the headers of real requests): any origin reads, the change stream included;
/// only the configured origin writes, with its key; every response carries the security headers.
/// </summary>
public sealed class CrossOriginTests(CrossOriginApp app) : IClassFixture<CrossOriginApp>
{
    private const string Elsewhere = "https://notebook.example.net";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> PreflightAsync(string path, string origin, string method, string headers)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await client.SendAsync(request, Ct);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task AnyOriginReadsTheJsonAndTheStreamWithAKeyAndSeesTheETag()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/claims/bytedance-ai-chips-budget-2025");
        request.Headers.Add("Origin", Elsewhere);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("ETag", Header(response, "Access-Control-Expose-Headers")!);

        using var preflight = await PreflightAsync("/api/v1/changes/stream", Elsewhere, "GET", "x-api-key,last-event-id");
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("x-api-key", Header(preflight, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OnlyTheConfiguredOriginMayWrite()
    {
        using var refused = await PreflightAsync("/api/v1/claims", Elsewhere, "POST", "content-type,x-api-key");
        Assert.Null(Header(refused, "Access-Control-Allow-Origin")); // the browser stops the POST here
        Assert.Null(Header(refused, "Access-Control-Allow-Methods"));

        using var allowed = await PreflightAsync("/api/v1/claims/x/status", CrossOriginApp.Desk, "PUT", "content-type,x-api-key,if-match");
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(CrossOriginApp.Desk, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Contains("PUT", Header(allowed, "Access-Control-Allow-Methods")!);
        Assert.Contains("if-match", Header(allowed, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);

        // The actual write from the desk carries the header its page needs to read the answer (a 409 here: the slug is taken).
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/claims")
        {
            Content = new StringContent("""{ "slug": "bytedance-ai-chips-budget-2025", "statement": "ByteDance plans to spend $1 billion.", "kind": "assertion", "subject": "bytedance" }""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", CrossOriginApp.Desk);
        using var written = await editor.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Conflict, written.StatusCode);
        Assert.Equal(CrossOriginApp.Desk, Header(written, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task MatchingIsAReadAnyOriginMayPost()
    {
        using var preflight = await PreflightAsync("/api/v1/claims/match", Elsewhere, "POST", "content-type");
        Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
        using var write = await PreflightAsync("/api/v1/claims", Elsewhere, "POST", "content-type");
        Assert.Null(Header(write, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task EveryResponseCarriesTheSecurityHeadersAndPagesCannotBeFramed()
    {
        using var client = app.CreateClient();
        using var json = await client.GetAsync("/api/v1/claims?limit=1", Ct);
        using var missing = await client.GetAsync("/api/v1/claims/no-such-claim", Ct);
        using var page = await client.GetAsync("/", Ct);

        foreach (var response in new[] { json, missing, page })
        {
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        }
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("frame-ancestors 'none'", Header(page, "Content-Security-Policy"));
        Assert.Null(Header(json, "Content-Security-Policy"));
    }
}
