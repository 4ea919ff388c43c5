using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Auth;

/// <summary>The API with anonymous reads configured off.</summary>
public sealed class AnonymousReadsOffApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:AnonymousReads", "false");
    }
}

/// <summary>
/// Every operation of the OpenAPI document, called by every kind of caller, against the role it needs; and the document
/// asks for the API key exactly where a caller without one is refused.
/// </summary>
public sealed class RoleMatrixTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    [Fact]
    public async Task EveryOperationAdmitsExactlyTheRolesItNeeds()
    {
        var mismatches = await RoleMatrix.RunAsync(app, anonymousReads: true);

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join("\n", mismatches)}");
    }
}

public sealed class AnonymousReadsOffTests(AnonymousReadsOffApp app) : IClassFixture<AnonymousReadsOffApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnonymousReadIs401WhileAReaderKeyWorks()
    {
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientAsync(Role.Reader);

        using var refused = await anonymous.GetAsync("/api/v1/claims", Ct);
        using var allowed = await reader.GetAsync("/api/v1/claims", Ct);

        await Problems.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task EveryOperationAdmitsExactlyTheRolesItNeeds()
    {
        var mismatches = await RoleMatrix.RunAsync(app, anonymousReads: false);

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join("\n", mismatches)}");
    }
}

internal static partial class RoleMatrix
{
    /// <summary>
    /// The role each operation needs. An operation of the document missing here, or an entry here that the document
    /// lacks, fails the matrix: a new endpoint must say who may call it. Path parameter names do not matter.
    /// </summary>
    private static readonly Dictionary<string, Role> Expected = new(StringComparer.Ordinal)
    {
        ["GET /api/v1/claims"] = Role.Reader,
        ["POST /api/v1/claims"] = Role.Editor,
        ["GET /api/v1/claims/{idOrSlug}"] = Role.Reader,
        ["PATCH /api/v1/claims/{idOrSlug}"] = Role.Editor,
        ["PUT /api/v1/claims/{idOrSlug}/status"] = Role.Editor,
        ["GET /api/v1/claims/{idOrSlug}/history"] = Role.Reader,
        ["POST /api/v1/claims/{idOrSlug}/appearances"] = Role.Editor,
        ["POST /api/v1/claims/match"] = Role.Reader, // a query sent by POST: its text may be long
        ["GET /api/v1/claims/{idOrSlug}/similar"] = Role.Reader,
        ["GET /api/v1/claims/{idOrSlug}/links"] = Role.Reader,
        ["PUT /api/v1/claims/{idOrSlug}/links/{otherIdOrSlug}"] = Role.Editor,
        ["GET /api/v1/changes"] = Role.Reader,
        ["GET /api/v1/changes/verify"] = Role.Reader,
        ["GET /api/v1/changes/stream"] = Role.Reader,
        ["GET /api/v1/sources"] = Role.Reader,
        ["POST /api/v1/sources"] = Role.Editor,
        ["GET /api/v1/sources/{id}"] = Role.Reader,
        ["PUT /api/v1/sources/{id}/content"] = Role.Editor,
        ["GET /api/v1/entities"] = Role.Reader,
        ["POST /api/v1/entities"] = Role.Editor,
        ["GET /api/v1/entities/{idOrSlug}"] = Role.Reader,
        ["GET /api/v1/entities/{idOrSlug}/claims"] = Role.Reader,
        ["GET /api/v1/timeline"] = Role.Reader,
        ["GET /api/v1/claims/export"] = Role.Reader,
        ["GET /api/v1/claims/{idOrSlug}/claimreview"] = Role.Reader,
        ["GET /api/v1/claimreview/feed"] = Role.Reader,
        ["POST /api/v1/imports/claimreview"] = Role.Editor,
        ["GET /api/v1/checks/consistency"] = Role.Reader,
        ["GET /api/v1/stats"] = Role.Reader,
        ["GET /api/v1/api-keys"] = Role.Admin,
        ["POST /api/v1/api-keys"] = Role.Admin,
        ["DELETE /api/v1/api-keys/{id}"] = Role.Admin,
        ["POST /api/v1/webhooks"] = Role.Admin,
        ["GET /api/v1/webhooks"] = Role.Admin,
        ["GET /api/v1/webhooks/{id}"] = Role.Admin,
        ["PATCH /api/v1/webhooks/{id}"] = Role.Admin,
        ["DELETE /api/v1/webhooks/{id}"] = Role.Admin,
        ["POST /api/v1/webhooks/{id}/rotate-secret"] = Role.Admin,
        ["POST /api/v1/webhooks/{id}/ping"] = Role.Admin,
        ["GET /api/v1/webhooks/{id}/deliveries"] = Role.Admin,
        ["POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver"] = Role.Admin,
    };

    /// <summary>The role the table says <paramref name="method"/> <paramref name="path"/> needs; fails for an operation it lacks.</summary>
    public static Role RequiredRole(string method, string path)
    {
        var name = $"{method.ToUpperInvariant()} {path}";
        var found = Expected.Where(e => Normalize(e.Key) == Normalize(name)).Select(e => e.Value).ToList();
        Assert.True(found.Count == 1, $"{name} is not in the expected table");
        return found[0];
    }

    private enum Caller { Anonymous, Reader, Editor, Admin, RevokedKey, UnknownKey }

    private const string ClaimSlug = "bytedance-ai-chips-budget-2025";
    private const string EntitySlug = "bytedance";
    private const string SourceId = "01948ccf-8d80-7000-8000-000000000001";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sends every (operation, caller) pair once; returns one line per way the API departs from the table.</summary>
    public static async Task<List<string>> RunAsync(ClaimTrackerApp app, bool anonymousReads)
    {
        var mismatches = new List<string>();
        var operations = await OperationsAsync(app);
        var expected = Expected.ToDictionary(p => Normalize(p.Key), p => (Entry: p.Key, Role: p.Value), StringComparer.Ordinal);
        mismatches.AddRange(operations.Where(o => !expected.ContainsKey(Normalize(o.Name)))
            .Select(o => $"{o.Name}: in the OpenAPI document but not in the expected table"));
        mismatches.AddRange(expected.Where(e => operations.All(o => Normalize(o.Name) != e.Key))
            .Select(e => $"{e.Value.Entry}: in the expected table but not in the OpenAPI document"));

        var values = await PathValuesAsync(app);
        var clients = await ClientsAsync(app);
        try
        {
            foreach (var operation in operations)
            {
                if (!expected.TryGetValue(Normalize(operation.Name), out var entry)) continue;
                // Swagger UI shows a lock, and sends the key, exactly where a caller without one is refused.
                var refusedWithoutKey = ExpectedRefusal(entry.Role, Caller.Anonymous, anonymousReads) is not null;
                if (operation.AsksForKey != refusedWithoutKey)
                {
                    mismatches.Add($"{operation.Name} (needs {entry.Role}): the document {(operation.AsksForKey ? "asks" : "does not ask")} " +
                                   $"for the API key, but a caller without one is {(refusedWithoutKey ? "refused" : "let through")}");
                }
                foreach (var (caller, client) in clients)
                {
                    var problem = await CheckAsync(client, operation, values, ExpectedRefusal(entry.Role, caller, anonymousReads));
                    if (problem is not null) mismatches.Add($"{operation.Name} as {caller} (needs {entry.Role}): {problem}");
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values) client.Dispose();
        }
        return mismatches;
    }

    /// <summary>401 without a valid key where one is needed; 403 for a valid key below the role; null: let through.</summary>
    private static HttpStatusCode? ExpectedRefusal(Role required, Caller caller, bool anonymousReads) => caller switch
    {
        Caller.RevokedKey or Caller.UnknownKey => HttpStatusCode.Unauthorized,
        Caller.Anonymous => required == Role.Reader && anonymousReads ? null : HttpStatusCode.Unauthorized,
        Caller.Reader => required <= Role.Reader ? null : HttpStatusCode.Forbidden,
        Caller.Editor => required <= Role.Editor ? null : HttpStatusCode.Forbidden,
        Caller.Admin => null,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    private static async Task<string?> CheckAsync(
        HttpClient client, Operation operation, IReadOnlyDictionary<string, string> values, HttpStatusCode? refusal)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), operation.Url(values));
        if (operation.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            // Headers only: a streaming endpoint must not hold the matrix up.
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return $"no response within {RequestTimeout.TotalSeconds} s";
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (refusal is null)
            {
                if (status is 401 or 403) return $"expected to be let through, got {status}";
                if (status >= 500) return $"let through, but got {status}";
                return null;
            }
            if (response.StatusCode != refusal) return $"expected {(int)refusal}, got {status}";
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                return $"{status} is not application/problem+json but '{response.Content.Headers.ContentType}'";
            }
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            if (!body.TryGetProperty("status", out var s) || s.GetInt32() != status) return $"{status} problem without a matching `status`";
            if (!body.TryGetProperty("title", out var t) || string.IsNullOrEmpty(t.GetString())) return $"{status} problem without a `title`";
            if (status == 401 && response.Headers.WwwAuthenticate.Count == 0) return "401 without WWW-Authenticate";
            return null;
        }
    }

    private sealed record Operation(string Method, string Path, IReadOnlyDictionary<string, string?> ParameterFormats, bool AsksForKey)
    {
        public string Name => $"{Method} {Path}";

        /// <summary>The path with each parameter filled with a seeded value of its resource (an id where the route wants a UUID).</summary>
        public string Url(IReadOnlyDictionary<string, string> values) => Parameter().Replace(Path, match =>
        {
            var resource = Path[..match.Index].TrimEnd('/').Split('/')[^1];
            var wantsUuid = ParameterFormats.GetValueOrDefault(match.Groups[1].Value) == "uuid";
            return values.TryGetValue($"{resource}{(wantsUuid ? ":uuid" : "")}", out var value) ? value : Guid.NewGuid().ToString();
        });
    }

    private static async Task<List<Operation>> OperationsAsync(ClaimTrackerApp app)
    {
        using var client = app.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement;
        return
        [
            .. document.GetProperty("paths").EnumerateObject()
                .Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal))
                .SelectMany(p => p.Value.EnumerateObject()
                    .Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete" or "head" or "options")
                    .Select(o => new Operation(o.Name.ToUpperInvariant(), p.Name.TrimEnd('/'), PathParameterFormats(o.Value),
                        OpenApi.OpenApiDocumentTests.AsksForTheApiKey(document, o.Value)))),
        ];
    }

    private static Dictionary<string, string?> PathParameterFormats(JsonElement operation) =>
        !operation.TryGetProperty("parameters", out var parameters) ? [] : parameters.EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "path")
            .ToDictionary(
                p => p.GetProperty("name").GetString()!,
                p => p.TryGetProperty("schema", out var schema) && schema.TryGetProperty("format", out var format) ? format.GetString() : null);

    /// <summary>Seeded values by the resource a path parameter follows; anything else gets a random UUID (a 404).</summary>
    private static async Task<Dictionary<string, string>> PathValuesAsync(ClaimTrackerApp app)
    {
        await using var db = app.CreateDbContext();
        var claimId = await db.Claims.Where(c => c.Slug == ClaimSlug).Select(c => c.Id).SingleAsync(Ct);
        var entityId = await db.Entities.Where(e => e.Slug == EntitySlug).Select(e => e.Id).SingleAsync(Ct);
        Assert.True(await db.Sources.AnyAsync(s => s.Id == Guid.Parse(SourceId), Ct), "The seeded article is there.");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["claims"] = ClaimSlug, ["claims:uuid"] = claimId.ToString(),
            ["entities"] = EntitySlug, ["entities:uuid"] = entityId.ToString(),
            ["sources"] = SourceId, ["sources:uuid"] = SourceId,
        };
    }

    private static async Task<Dictionary<Caller, HttpClient>> ClientsAsync(ClaimTrackerApp app)
    {
        var admin = await app.CreateClientAsync(Role.Admin);
        return new Dictionary<Caller, HttpClient>
        {
            [Caller.Anonymous] = app.CreateClient(),
            [Caller.Reader] = await app.CreateClientAsync(Role.Reader),
            [Caller.Editor] = await app.CreateClientAsync(Role.Editor),
            [Caller.Admin] = admin,
            [Caller.RevokedKey] = WithKey(app, await RevokedAdminKeyAsync(admin)),
            [Caller.UnknownKey] = WithKey(app, ApiKeyTokens.NewKey()),
        };
    }

    /// <summary>An admin key, created and revoked through the API: revocation must beat the highest role.</summary>
    private static async Task<string> RevokedAdminKeyAsync(HttpClient admin)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "matrix-revoked", role = "admin" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement;
        using var revoked = await admin.DeleteAsync($"/api/v1/api-keys/{key.GetProperty("id").GetString()}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        return key.GetProperty("key").GetString()!;
    }

    private static HttpClient WithKey(ClaimTrackerApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthentication.HeaderName, key);
        return client;
    }

    /// <summary>`GET /a/{x}/b` and `GET /a/{y}/b` are the same operation.</summary>
    private static string Normalize(string name) => Parameter().Replace(name.TrimEnd('/'), "{}");

    [GeneratedRegex(@"\{([^}:]+)[^}]*\}")]
    private static partial Regex Parameter();
}
