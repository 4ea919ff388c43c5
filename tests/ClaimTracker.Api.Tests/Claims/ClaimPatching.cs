using System.Net.Http.Headers;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>Arranging, sending and checking `PATCH /claims/{idOrSlug}` requests.</summary>
public static class ClaimPatching
{
    public const string MergePatch = "application/merge-patch+json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A quantity claim about a new entity, with a claimant, tags, a period and a scope.</summary>
    public static async Task<(Claim Claim, Entity Subject, Entity Claimant)> AddPatchableClaimAsync(this ClaimTrackerApp app)
    {
        var subject = await app.AddEntityAsync("subject");
        var claimant = await app.AddEntityAsync("claimant");
        var claim = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Kind = ClaimKind.Quantity;
            c.ClaimantId = claimant.Id;
            c.Tags = ["ai-chips", "budget"];
            c.Quantity = new Quantity { Amount = 12_000_000_000m, Unit = "USD", Approximate = false, Period = "2025", Scope = "total" };
        }))[0];
        return (claim, subject, claimant);
    }

    public static HttpRequestMessage Request(Claim claim, string json, EntityTagHeaderValue? ifMatch, string contentType = MergePatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/claims/{claim.Id}")
        {
            Content = new StringContent(json, Encoding.UTF8, contentType),
        };
        if (ifMatch is not null) request.Headers.IfMatch.Add(ifMatch);
        return request;
    }

    public static async Task<EntityTagHeaderValue> ETagOfAsync(this ClaimTrackerApp app, Claim claim)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/{claim.Id}", Ct);
        return response.Headers.ETag!;
    }

    /// <summary>Sends the patch as an editor, with the claim's current ETag.</summary>
    public static async Task<HttpResponseMessage> PatchAsync(this ClaimTrackerApp app, Claim claim, string json, string contentType = MergePatch)
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        return await editor.SendAsync(Request(claim, json, await app.ETagOfAsync(claim), contentType), Ct);
    }

    public static async Task<Claim> StoredClaimAsync(this ClaimTrackerApp app, Claim claim)
    {
        await using var db = app.CreateDbContext();
        return await db.Claims.AsNoTracking().SingleAsync(c => c.Id == claim.Id, Ct);
    }

    /// <summary>Asserts the row is as it was: the same row version means no UPDATE reached it.</summary>
    public static async Task AssertClaimUnchangedAsync(this ClaimTrackerApp app, Claim before)
    {
        var after = await app.StoredClaimAsync(before);
        Assert.Equal((before.Version, before.Statement, before.UpdatedAt), (after.Version, after.Statement, after.UpdatedAt));
    }
}
