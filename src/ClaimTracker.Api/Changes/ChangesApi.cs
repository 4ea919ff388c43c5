using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

public static class ChangesApi
{
    public static RouteGroupBuilder MapChanges(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/changes").WithTags("History");

        group.MapGet("/", ListChanges)
            .WithName("ListChanges")
            .WithSummary("Poll the global status-change feed, oldest first")
            .WithDescription("Every status change of every claim, in `seq` order, strictly after `after` (default 0). " +
                             "Poll again with `after` = the response's `nextAfter` (the last item's `seq`, or the `after` " +
                             "you sent when nothing is new); nothing is ever skipped or repeated, because changes are " +
                             "committed in `seq` order. `limit` is 1–1000 (default 100). e.g. `?after=0&limit=5` gives the " +
                             "seeded story's first five reviews. Items are the rows of `GET /claims/{idOrSlug}/history`.")
            .ProducesValidationProblem();

        group.MapGet("/verify", VerifyChain)
            .WithName("VerifyChanges")
            .WithSummary("Verify the status history's hash chain")
            .WithDescription("Recomputes every row's `hash` = SHA-256(`prevHash` ‖ the row) in `seq` order and checks that " +
                             "each `prevHash` is the previous row's `hash` and that no `seq` is missing. Returns " +
                             "`{ \"checked\", \"valid\", \"firstBrokenSeq\" }`. When the chain holds, `valid` is true, " +
                             "`firstBrokenSeq` null and `checked` the number of rows. Otherwise `firstBrokenSeq` names the first " +
                             "row that was changed or whose predecessor was (or the first missing `seq`), and `checked` counts " +
                             "the rows read up to it. The database already refuses UPDATE, DELETE and TRUNCATE on the history; " +
                             "this catches what someone with power over the database did around that. Reads the whole chain: " +
                             "for audits, not for polling.");

        group.MapChangeStream();

        return group;
    }

    /// <param name="query">`after` and `limit`.</param>
    /// <param name="db">The database.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<ChangeFeedResponse>, ValidationProblem>> ListChanges(
        [AsParameters] ChangeFeedQuery query, ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (after, limit) = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        return TypedResults.Ok(await ChangeFeed.PageAsync(db, after, limit, cancellationToken));
    }

    /// <param name="db">The database.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Ok<ChainVerificationResponse>> VerifyChain(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ChainVerification.VerifyAsync(db, ChainVerification.DefaultBatchSize, cancellationToken));

    /// <summary>A claim's own history, mapped on the claims group by <see cref="ClaimsApi.MapClaims"/>.</summary>
    public static RouteGroupBuilder MapClaimHistory(this RouteGroupBuilder claims)
    {
        claims.MapGet("/{idOrSlug}/history", GetClaimHistory)
            .WithTags("History")
            .WithName("GetClaimHistory")
            .WithSummary("Get a claim's status history, oldest change first")
            .WithDescription("Addressed by id or slug, e.g. `bytedance-ai-chips-budget-2025`. Each change names its " +
                             "`from` and `to` status, the `reason`, the `evidence` (`{ \"appearanceId\" }` or " +
                             "`{ \"sourceId\" }`), the `actor` and the time. `seq` is the change's position in the one " +
                             "global chain, so a claim's own changes have gaps in `seq`; `hash` = SHA-256 over `prevHash` " +
                             "and the row, where `prevHash` is the hash of the chain's previous row (`GET /changes/verify` " +
                             "walks it). A claim never reviewed has an empty `items`.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return claims;
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
        if (row is null) return ClaimLookup.NotFound(idOrSlug);

        return TypedResults.Ok(new ClaimHistoryResponse(row.Claim, [.. row.Changes.Select(c => c.ToResponse())]));
    }
}
