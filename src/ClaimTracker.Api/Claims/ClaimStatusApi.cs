using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

/// <summary>`{ "appearanceId": … }` (an appearance of this claim) or `{ "sourceId": … }` (any source).</summary>
public sealed record EvidenceRequest(Guid? AppearanceId, Guid? SourceId);

/// <summary>The new status, why (1–2000 characters), and the evidence; see DESIGN's status table.</summary>
public sealed record ChangeStatusRequest(ClaimStatus Status, string Reason, IReadOnlyList<EvidenceRequest>? Evidence);

public static class ClaimStatusApi
{
    private const int MaxEvidence = 50;

    /// <summary>Statuses that are verdicts: they need at least one piece of evidence.</summary>
    public static bool NeedsEvidence(ClaimStatus status) =>
        status is ClaimStatus.Confirmed or ClaimStatus.Disputed or ClaimStatus.Refuted or ClaimStatus.Retracted;

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
        if (!Enum.IsDefined(request.Status)) errors.Add("status", "status is required.");
        errors.Text("reason", request.Reason, Limits.Reason);
        var evidence = request.Evidence ?? [];
        if (evidence.Count > MaxEvidence) errors.Add("evidence", $"At most {MaxEvidence} pieces of evidence.");
        if (evidence.Any(e => e is null || (e.AppearanceId is null) == (e.SourceId is null)))
        {
            errors.Add("evidence", "Each piece of evidence names exactly one of appearanceId or sourceId.");
        }
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (claim.Status != request.Status)
        {
            if (await CheckEvidenceAsync(db, claim.Id, request.Status, evidence, cancellationToken) is { } broken) return broken;

            var reason = request.Reason.Trim();
            var at = HashChain.ToStoredPrecision(clock.GetUtcNow());
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The claim first, guarded by the ETag (`WHERE xmin = <the version read>`): of concurrent writers holding one
            // ETag, one wins; the others wait for its row lock, then find a new xmin and get 412 (their transaction rolls
            // back). Before the chain lock, so that the lock serialising every status change covers only the history row.
            var updated = await db.Claims
                .Where(c => c.Id == claim.Id && c.Version == claim.Version)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(c => c.Status, request.Status)
                    .SetProperty(c => c.StatusReason, reason)
                    .SetProperty(c => c.StatusChangedAt, at)
                    .SetProperty(c => c.UpdatedAt, at), cancellationToken);
            if (updated == 0) return ETags.PreconditionFailed();

            await StatusHistory.AppendAsync(db, claim.Id, claim.Status, request.Status, reason,
                [.. evidence.Where(e => e.AppearanceId is not null).Select(e => e.AppearanceId!.Value).Distinct()],
                [.. evidence.Where(e => e.SourceId is not null).Select(e => e.SourceId!.Value).Distinct()],
                http.User.ActorName(), at, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await ClaimLookup.ReadDetailAsync(db, claim.Id, cancellationToken);
        http.Response.Headers.ETag = ETags.For(row.Version);
        return TypedResults.Ok(row.Value);
    }

    private static async Task<ProblemHttpResult?> CheckEvidenceAsync(
        ClaimTrackerDbContext db, Guid claimId, ClaimStatus to, IReadOnlyList<EvidenceRequest> evidence, CancellationToken cancellationToken)
    {
        if (NeedsEvidence(to) && evidence.Count == 0)
        {
            return ProblemTypes.RuleBroken(ProblemTypes.EvidenceRequired, "Evidence required",
                $"Marking a claim {EnumWords.ToWord(to)} needs at least one piece of evidence: an appearance of this claim or a source.");
        }
        var appearanceIds = evidence.Where(e => e.AppearanceId is not null).Select(e => e.AppearanceId!.Value).Distinct().ToList();
        var sourceIds = evidence.Where(e => e.SourceId is not null).Select(e => e.SourceId!.Value).Distinct().ToList();
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
