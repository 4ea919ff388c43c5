using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Auth;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.OpenApi;

public sealed class OpenApiDocumentTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = app.CreateClient();
        return JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement;
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> ApiOperations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, o.Value)));

    [Fact]
    public async Task EveryRequestBodyExampleIsARequestTheApiAccepts()
    {
        var document = await DocumentAsync();
        var examples = ApiOperations(document)
            .Where(o => o.Operation.TryGetProperty("requestBody", out var body)
                        && body.GetProperty("content").TryGetProperty("application/json", out var json) && json.TryGetProperty("example", out _))
            .ToList();
        using var admin = await app.CreateClientAsync(Role.Admin);

        Assert.Equal(OpenApiConventions.BodyExamples.Keys.Order(), examples.Select(e => e.Operation.GetProperty("operationId").GetString()).Order());
        foreach (var (path, method, operation) in examples)
        {
            // "Try it out" as Swagger UI sends it: the path's parameters from their examples, the body's example.
            var url = operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path")
                .Aggregate(path, (u, p) => u.Replace($"{{{p.GetProperty("name").GetString()}}}", p.GetProperty("example").GetString()));
            var example = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url)
            {
                Content = new StringContent(example.GetRawText(), System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await admin.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{method} {url} with its example: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    [Fact]
    public async Task EveryApiOperationHasASummaryATagAndAnOperationId()
    {
        var operations = ApiOperations(await DocumentAsync()).ToList();

        Assert.NotEmpty(operations);
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString()), $"{o.Method} {o.Path} has no summary");
            Assert.True(o.Operation.GetProperty("tags").GetArrayLength() > 0, $"{o.Method} {o.Path} has no tag");
            Assert.True(o.Operation.TryGetProperty("operationId", out _), $"{o.Method} {o.Path} has no operationId");
        });
    }

    [Fact]
    public async Task EveryApiOperationWithInputDeclaresItsProblemResponses()
    {
        foreach (var (path, method, operation) in ApiOperations(await DocumentAsync()))
        {
            var hasInput = path.Contains('{') || (operation.TryGetProperty("parameters", out var p) && p.GetArrayLength() > 0);
            if (!hasInput) continue;
            var problems = operation.GetProperty("responses").EnumerateObject()
                .Where(r => r.Name.StartsWith('4'))
                .ToList();
            Assert.True(problems.Count > 0, $"{method} {path} declares no 4xx response");
            Assert.All(problems, r => Assert.True(
                r.Value.GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method} {path} {r.Name} is not declared as application/problem+json"));
        }
    }

    [Fact]
    public async Task ParametersAreDescribedWithExamplesFromTheStory()
    {
        var document = await DocumentAsync();
        var getClaim = document.GetProperty("paths").GetProperty("/api/v1/claims/{idOrSlug}").GetProperty("get");
        var idOrSlug = getClaim.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "idOrSlug");

        Assert.Equal("bytedance-ai-chips-budget-2025", idOrSlug.GetProperty("example").GetString());
        Assert.All(ApiOperations(document).SelectMany(o =>
                o.Operation.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : Enumerable.Empty<JsonElement>()),
            parameter => Assert.True(parameter.TryGetProperty("description", out _), $"parameter {parameter.GetProperty("name")} has no description"));
    }

    [Fact]
    public async Task DocumentOffersTheApiKeyToSwaggerUi()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");

        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
    }

    /// <summary>
    /// Whether the operation requires the `X-Api-Key` scheme, by its own `security` or else the document's: where Swagger
    /// UI shows its lock and sends the key.
    /// </summary>
    internal static bool AsksForTheApiKey(JsonElement document, JsonElement operation) =>
        (operation.TryGetProperty("security", out var security) || document.TryGetProperty("security", out security))
        && security.EnumerateArray().Any(requirement => requirement.TryGetProperty(OpenApiSetup.ApiKeyScheme, out _));

    [Fact]
    public async Task EveryWriteOperationAsksForTheApiKey()
    {
        var document = await DocumentAsync();
        // POST /claims/match changes nothing: a query sent by POST because its text may be long, open to readers.
        var writes = ApiOperations(document)
            .Where(o => o.Method is not ("get" or "head" or "options") && !(o.Method == "post" && o.Path == "/api/v1/claims/match"))
            .ToList();

        Assert.NotEmpty(writes);
        Assert.All(writes, o => Assert.True(AsksForTheApiKey(document, o.Operation), $"{o.Method} {o.Path} does not ask for the API key"));
    }

    [Fact]
    public async Task OnlyOperationsNeedingMoreThanAReaderAskForTheApiKeyWhileReadsAreOpen()
    {
        var document = await DocumentAsync();
        var operations = ApiOperations(document).ToList();

        Assert.Contains(operations, o => RoleMatrix.RequiredRole(o.Method, o.Path) == Role.Reader);
        Assert.All(operations, o =>
        {
            var (required, asks) = (RoleMatrix.RequiredRole(o.Method, o.Path), AsksForTheApiKey(document, o.Operation));
            Assert.True(asks == required > Role.Reader, $"{o.Method} {o.Path} (needs {required}) {(asks ? "asks" : "does not ask")} for the API key");
        });
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync("/swagger/index.html", Ct);

        Assert.Contains("swagger-ui", html);
    }
}
