using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Claims;

/// <summary>`{ "appearanceId": … }` (an appearance of this claim) or `{ "sourceId": … }` (any source).</summary>
public sealed record EvidenceRequest(Guid? AppearanceId, Guid? SourceId);

/// <summary>The new status, why (1–2000 characters), and the evidence: `confirmed`, `disputed`, `refuted` and `retracted` need at least one.</summary>
public sealed record ChangeStatusRequest(ClaimStatus Status, string Reason, IReadOnlyList<EvidenceRequest>? Evidence);

/// <summary>A ClaimReview `reviewRating` on schema.org's 1 (false) to 5 (true) scale, with the verdict's name.</summary>
public readonly record struct ReviewRatingValue(int Value, string Name)
{
    public const int Best = 5;
    public const int Worst = 1;
}

/// <summary>
/// The rules of a claim's confirmation status, in one place and free of the database (docs/decisions/002-status-rules.md):
/// what a status change request must hold, which statuses are verdicts that need evidence, and the ClaimReview rating each
/// verdict is published with. Any status may follow any other; setting the current one changes nothing.
/// </summary>
public static class ClaimStatusRules
{
    public const int MaxEvidence = 50;

    /// <summary>Statuses that are verdicts: they need at least one piece of evidence.</summary>
    public static bool NeedsEvidence(ClaimStatus status) =>
        status is ClaimStatus.Confirmed or ClaimStatus.Disputed or ClaimStatus.Refuted or ClaimStatus.Retracted;

    /// <summary>The rating of each verdict as ClaimReview publishes it; null while the claim is not reviewed.</summary>
    public static ReviewRatingValue? RatingOf(ClaimStatus status) => status switch
    {
        ClaimStatus.Confirmed => new(5, "True"),
        ClaimStatus.Disputed => new(3, "Disputed"),
        ClaimStatus.Inconclusive => new(3, "Unproven"),
        ClaimStatus.Refuted => new(1, "False"),
        ClaimStatus.Retracted => new(1, "Retracted"),
        _ => null,
    };

    /// <summary>The field rules of a status change (400 when broken), each bad field named in <paramref name="errors"/>.</summary>
    public static void Validate(ChangeStatusRequest request, ValidationErrors errors)
    {
        if (!Enum.IsDefined(request.Status)) errors.Add("status", "status is required.");
        errors.Text("reason", request.Reason, Limits.Reason);
        var evidence = request.Evidence ?? [];
        if (evidence.Count > MaxEvidence) errors.Add("evidence", $"At most {MaxEvidence} pieces of evidence.");
        if (evidence.Any(e => e is null || (e.AppearanceId is null) == (e.SourceId is null)))
        {
            errors.Add("evidence", "Each piece of evidence names exactly one of appearanceId or sourceId.");
        }
    }

    /// <summary>The verdict rule (422 when broken): why <paramref name="to"/> cannot be set with no evidence, or null.</summary>
    public static string? MissingEvidence(ClaimStatus to, int evidenceCount) =>
        NeedsEvidence(to) && evidenceCount == 0
            ? $"Marking a claim {EnumWords.ToWord(to)} needs at least one piece of evidence: an appearance of this claim or a source."
            : null;

    /// <summary>The distinct appearance ids and source ids the evidence names.</summary>
    public static (Guid[] AppearanceIds, Guid[] SourceIds) Split(IReadOnlyList<EvidenceRequest>? evidence) =>
        ([.. (evidence ?? []).Where(e => e.AppearanceId is not null).Select(e => e.AppearanceId!.Value).Distinct()],
         [.. (evidence ?? []).Where(e => e.SourceId is not null).Select(e => e.SourceId!.Value).Distinct()]);
}
