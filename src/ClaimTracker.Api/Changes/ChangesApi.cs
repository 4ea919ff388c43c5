using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

public static class ChangesApi
{
    public static RouteGroupBuilder MapClaimHistory(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/claims").WithTags("History");

        group.MapGet("/{idOrSlug}/history", GetClaimHistory)
            .WithName("GetClaimHistory")
            .WithSummary("Get a claim's status history, oldest change first")
            .WithDescription("Addressed by id or slug, e.g. `bytedance-ai-chips-budget-2025`. Each change names its " +
                             "`from` and `to` status, the `reason`, the `evidence` (`{ \"appearanceId\" }` or " +
                             "`{ \"sourceId\" }`), the `actor` and the time. `seq` is the change's position in the one " +
                             "global chain, so a claim's own changes have gaps in `seq`; `hash` = SHA-256 over `prevHash` " +
                             "and the row, where `prevHash` is the hash of the chain's previous row (`GET /changes/verify` " +
                             "walks it). A claim never reviewed has an empty `items`.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    /// <param name="idOrSlug" example="bytedance-ai-chips-budget-2025">The claim's id (UUID) or slug.</param>
    /// <param name="db">The database.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<ClaimHistoryResponse>, ProblemHttpResult>> GetClaimHistory(
        string idOrSlug, ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(c => new
            {
                Claim = new ClaimRef(c.Id, c.Slug, c.Statement),
                Changes = db.StatusChanges.Where(s => s.ClaimId == c.Id).OrderBy(s => s.Seq).ToList(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return ClaimsApi.NotFound(idOrSlug);

        return TypedResults.Ok(new ClaimHistoryResponse(row.Claim, [.. row.Changes.Select(c => c.ToResponse())]));
    }
}
