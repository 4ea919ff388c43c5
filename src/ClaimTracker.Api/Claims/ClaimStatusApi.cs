using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

public static class ClaimStatusApi
{
    public static RouteGroupBuilder MapClaimStatus(this RouteGroupBuilder claims)
    {
        claims.MapPut("/{idOrSlug}/status", ChangeStatus)
            .RequireAuthorization(Policies.Edit)
            .WithName("ChangeClaimStatus")
            .WithSummary("Mark a claim's confirmation status")
            .WithDescription("Needs `If-Match` with the claim's ETag. `confirmed`, `disputed`, `refuted` and `retracted` need evidence. " +
                             "Writes the status and its hash-chained history row in one transaction; setting the current status " +
                             "changes nothing and adds no history. Example: `{ \"status\": \"disputed\", \"reason\": \"ByteDance's " +
                             "spokesperson denies it.\", \"evidence\": [{ \"appearanceId\": \"…\" }] }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return claims;
    }

    private static async Task<Results<Ok<ClaimDetailResponse>, ValidationProblem, ProblemHttpResult>> ChangeStatus(
        string idOrSlug, ChangeStatusRequest request, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // Only what a status change reads (the whole row would bring its search document along).
        var claim = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug)
            .Select(c => new { c.Id, c.Status, c.Version })
            .FirstOrDefaultAsync(cancellationToken);
        if (claim is null) return ClaimLookup.NotFound(idOrSlug);
        switch (ETags.IfMatch(http.Request, ETags.For(claim.Version)))
        {
            case ETags.Precondition.Missing: return ETags.PreconditionRequired();
            case ETags.Precondition.Stale: return ETags.PreconditionFailed();
        }

        var errors = new ValidationErrors();
        ClaimStatusRules.Validate(request, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (claim.Status != request.Status)
        {
            var (appearanceIds, sourceIds) = ClaimStatusRules.Split(request.Evidence);
            if (await CheckEvidenceAsync(db, claim.Id, request.Status, appearanceIds, sourceIds, cancellationToken) is { } broken) return broken;

            var move = new StatusMove(claim.Status, request.Status, request.Reason.Trim(), appearanceIds, sourceIds,
                http.User.ActorName(), clock.GetUtcNow());
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await StatusHistory.WriteAsync(db, claim.Id, claim.Version, move, cancellationToken) is null) return ETags.PreconditionFailed();
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await ClaimLookup.ReadDetailAsync(db, claim.Id, cancellationToken);
        return TypedResults.Ok(ClaimLanguages.Respond(http, row, ClaimLanguages.Preference(http.Request, null, errors)));
    }

    private static async Task<ProblemHttpResult?> CheckEvidenceAsync(ClaimTrackerDbContext db, Guid claimId, ClaimStatus to,
        IReadOnlyCollection<Guid> appearanceIds, IReadOnlyCollection<Guid> sourceIds, CancellationToken cancellationToken)
    {
        if (ClaimStatusRules.MissingEvidence(to, appearanceIds.Count + sourceIds.Count) is { } missing)
        {
            return ProblemTypes.RuleBroken(ProblemTypes.EvidenceRequired, "Evidence required", missing);
        }
        var foreignAppearances = appearanceIds.Count == 0 ? [] : appearanceIds
            .Except(await db.Appearances.Where(a => a.ClaimId == claimId && appearanceIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken))
            .ToList();
        var missingSources = sourceIds.Count == 0 ? [] : sourceIds
            .Except(await db.Sources.Where(s => sourceIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken))
            .ToList();
        if (foreignAppearances.Count == 0 && missingSources.Count == 0) return null;
        return ProblemTypes.RuleBroken(ProblemTypes.EvidenceInvalid, "Evidence not found",
            string.Join(" ", new[]
            {
                foreignAppearances.Count > 0 ? $"Not appearances of this claim: {string.Join(", ", foreignAppearances)}." : "",
                missingSources.Count > 0 ? $"No such sources: {string.Join(", ", missingSources)}." : "",
            }.Where(s => s.Length > 0)));
    }
}
