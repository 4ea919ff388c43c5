using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

/// <summary>
/// One status change as it is recorded: the move, why, on what evidence, by whom and when. <see cref="From"/> is the
/// status the caller read; with an expected version, the write proves the claim still has it.
/// </summary>
public sealed record StatusMove(
    ClaimStatus From, ClaimStatus To, string Reason, IReadOnlyCollection<Guid> EvidenceAppearanceIds,
    IReadOnlyCollection<Guid> EvidenceSourceIds, string Actor, DateTimeOffset At);

/// <summary>The one write path of a status change: the claim's new status and its row in the global hash chain.</summary>
public static class StatusHistory
{
    /// <summary>
    /// Writes the claim's status and appends the change to the chain, inside the caller's transaction (the caller commits).
    /// With <paramref name="expectedVersion"/> (the ETag the caller read) the claim's UPDATE carries `WHERE xmin = …`: of
    /// concurrent writers holding one ETag, one wins; the others wait for its row lock, find a new version and get null
    /// (412), having written nothing. The claim is written before the chain lock is taken, so that the lock serialising
    /// every status change covers only the history row (docs/decisions/002-status-rules.md).
    /// </summary>
    public static async Task<StatusChange?> WriteAsync(
        ClaimTrackerDbContext db, Guid claimId, uint? expectedVersion, StatusMove move, CancellationToken cancellationToken)
    {
        // Before any write: without the caller's transaction the chain lock would not hold to the commit.
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A status change must be written inside a transaction.");
        }
        var at = HashChain.ToStoredPrecision(move.At);
        var claim = expectedVersion is { } version
            ? db.Claims.Where(c => c.Id == claimId && c.Version == version)
            : db.Claims.Where(c => c.Id == claimId);
        var updated = await claim.ExecuteUpdateAsync(set => set
            .SetProperty(c => c.Status, move.To)
            .SetProperty(c => c.StatusReason, move.Reason)
            .SetProperty(c => c.StatusChangedAt, at)
            .SetProperty(c => c.UpdatedAt, at), cancellationToken);
        if (updated == 0) return null;

        await DatabaseLocks.LockChainAsync(db, cancellationToken);
        var last = await db.StatusChanges.AsNoTracking()
            .OrderByDescending(c => c.Seq)
            .Select(c => new { c.Seq, c.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        var change = HashChain.Link(last?.Seq ?? 0, last?.Hash ?? HashChain.Genesis, claimId, move with { At = at });
        db.StatusChanges.Add(change);
        await db.SaveChangesAsync(cancellationToken);
        return change;
    }
}
