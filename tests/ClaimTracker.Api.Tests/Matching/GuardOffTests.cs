using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ClaimTracker.Api.Tests.Matching;

/// <summary>The API with `Matching:GuardOnCreate` off, as for a bulk load of claims deduplicated elsewhere.</summary>
public sealed class GuardOffApp : ClaimTrackerApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Matching:GuardOnCreate", "false");
    }
}

/// <summary>With the guard off, `POST /claims` matches nothing: no 409, no suggestions; `notDuplicateOf` is still checked and kept.</summary>
public sealed class GuardOffTests(GuardOffApp app) : IClassFixture<GuardOffApp>
{
    private const string Budget = "bytedance-ai-chips-budget-2025";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADuplicateIsCreatedWithNoSuggestionsAndNotDuplicateOfIsStillRecorded()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        var copy = TestData.UniqueSlug("copy");
        var declared = TestData.UniqueSlug("declared");
        const string statement = "ByteDance plans to spend around $12 billion on AI chips in 2025.";

        // The statement the guard refuses when on (DuplicateGuardTests): created, and nothing suggested.
        using var created = await editor.PostAsJsonAsync("/api/v1/claims",
            new { slug = copy, statement, kind = "assertion", subject = "bytedance" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var links = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{copy}/links", Ct);
        Assert.Empty(links.GetProperty("items").EnumerateArray());

        using var unknown = await editor.PostAsJsonAsync("/api/v1/claims",
            new { slug = declared, statement, kind = "assertion", subject = "bytedance", notDuplicateOf = new[] { "no-such-claim" } }, Ct);
        await Problems.AssertValidationProblemAsync(unknown, "notDuplicateOf[0]");

        using var kept = await editor.PostAsJsonAsync("/api/v1/claims",
            new { slug = declared, statement, kind = "assertion", subject = "bytedance", notDuplicateOf = new[] { Budget } }, Ct);
        Assert.Equal(HttpStatusCode.Created, kept.StatusCode);
        var decided = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/claims/{declared}/links", Ct);
        var link = Assert.Single(decided.GetProperty("items").EnumerateArray());
        Assert.Equal((Budget, "duplicate", "rejected"), (link.GetProperty("other").GetProperty("slug").GetString(),
            link.GetProperty("relation").GetString(), link.GetProperty("state").GetString()));
    }
}
