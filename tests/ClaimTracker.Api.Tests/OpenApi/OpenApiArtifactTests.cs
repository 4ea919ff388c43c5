using System.Text.Json.Nodes;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.OpenApi;

/// <summary>
/// docs/openapi.json is the contract as reviewed: the document the code generates must be the committed one, so that
/// a change to an endpoint that is not regenerated (`dotnet swagger tofile`, README "The API contract") fails here.
/// </summary>
public sealed class OpenApiArtifactTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string CommittedPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClaimTracker.sln"))) return Path.Combine(directory.FullName, "docs", "openapi.json");
        }
        throw new InvalidOperationException("The repository root (ClaimTracker.sln) is not above the test's output folder.");
    }

    [Fact]
    public async Task TheCommittedDocumentIsTheOneTheCodeGenerates()
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath(), Ct))!.AsObject();
        using var client = app.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct))!.AsObject();

        // The served document names the server that serves it; the committed one names `dotnet run`'s.
        Assert.Equal("http://localhost:5080", committed["servers"]?[0]?["url"]?.GetValue<string>());
        Assert.Equal("http://localhost", served["servers"]?[0]?["url"]?.GetValue<string>());
        committed.Remove("servers");
        served.Remove("servers");

        var differences = Differences(committed, served, "").Take(20).ToList();
        Assert.True(differences.Count == 0,
            "docs/openapi.json is not what the code generates; regenerate it (dotnet build, then dotnet swagger tofile --output " +
            "docs/openapi.json src/ClaimTracker.Api/bin/Debug/net10.0/ClaimTracker.Api.dll v1) and review the change:\n" +
            string.Join("\n", differences));
    }

    /// <summary>Where two JSON documents differ, as JSON paths: committed value, then generated.</summary>
    private static IEnumerable<string> Differences(JsonNode? committed, JsonNode? generated, string path)
    {
        if (committed is JsonObject a && generated is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                foreach (var d in Differences(a[key], b[key], $"{path}/{key}")) yield return d;
            }
        }
        else if (committed is JsonArray x && generated is JsonArray y && x.Count == y.Count)
        {
            for (var i = 0; i < x.Count; i++)
            {
                foreach (var d in Differences(x[i], y[i], $"{path}/{i}")) yield return d;
            }
        }
        else if (!JsonNode.DeepEquals(committed, generated))
        {
            yield return $"{path}: committed {Short(committed)}, generated {Short(generated)}";
        }
    }

    private static string Short(JsonNode? node) => node?.ToJsonString() is { } json ? (json.Length > 120 ? json[..120] + "…" : json) : "(absent)";
}
