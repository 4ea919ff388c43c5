using System.Text.Json.Serialization;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.Changes;

/// <summary>One piece of evidence for a status change: `{ "appearanceId": … }` or `{ "sourceId": … }`.</summary>
public sealed record EvidenceResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? AppearanceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? SourceId);

/// <summary>
/// One row of the status history. `claimId` is included because the hash covers it: with it, a client can
/// recompute `hash` from `prevHash` and the row alone.
/// </summary>
public sealed record StatusChangeResponse(
    long Seq, Guid ClaimId, ClaimStatus From, ClaimStatus To, string Reason, IReadOnlyList<EvidenceResponse> Evidence,
    string Actor, DateTimeOffset At, string PrevHash, string Hash);

/// <summary>A claim's status history, oldest change first, as `GET /claims/{idOrSlug}/history` returns it.</summary>
public sealed record ClaimHistoryResponse(ClaimRef Claim, IReadOnlyList<StatusChangeResponse> Items);

public static class ChangeProjections
{
    /// <summary>Evidence is stored as two id arrays; the contract shows it as one list of objects, appearances first.</summary>
    public static StatusChangeResponse ToResponse(this StatusChange change) => new(
        change.Seq, change.ClaimId, change.From, change.To, change.Reason,
        [
            .. change.EvidenceAppearanceIds.Select(id => new EvidenceResponse(id, null)),
            .. change.EvidenceSourceIds.Select(id => new EvidenceResponse(null, id)),
        ],
        change.Actor, change.At, change.PrevHash, change.Hash);
}
