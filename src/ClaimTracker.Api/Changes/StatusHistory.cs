using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

/// <summary>Appends to the global status-change chain: the one place history rows are written.</summary>
public static class StatusHistory
{
    // Any constant will do: it names the lock that serialises appends to the chain.
    private const long ChainLockKey = 0x436C61696D5472;

    /// <summary>
    /// Adds the history row of a claim's move from <paramref name="from"/> to <paramref name="to"/>, taking the chain lock
    /// so that seq stays gapless and prevHash is the true predecessor. Must run inside the caller's transaction; the caller
    /// writes the claim itself (the API before this call, so that the lock, held until commit, covers only this row; see
    /// <see cref="Apply"/> for a tracked claim), then saves and commits.
    /// </summary>
    public static async Task<StatusChange> AppendAsync(
        ClaimTrackerDbContext db, Guid claimId, ClaimStatus from, ClaimStatus to, string reason,
        IReadOnlyCollection<Guid> evidenceAppearanceIds, IReadOnlyCollection<Guid> evidenceSourceIds,
        string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A status change must be appended inside a transaction.");
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken);
        var last = await db.StatusChanges.AsNoTracking()
            .OrderByDescending(c => c.Seq)
            .Select(c => new { c.Seq, c.Hash })
            .FirstOrDefaultAsync(cancellationToken);

        var change = new StatusChange
        {
            Seq = (last?.Seq ?? 0) + 1,
            ClaimId = claimId,
            From = from,
            To = to,
            Reason = reason,
            EvidenceAppearanceIds = [.. evidenceAppearanceIds],
            EvidenceSourceIds = [.. evidenceSourceIds],
            Actor = actor,
            At = HashChain.ToStoredPrecision(at),
            PrevHash = last?.Hash ?? HashChain.Genesis,
            Hash = "",
        };
        change.Hash = HashChain.ComputeHash(change);
        db.StatusChanges.Add(change);
        return change;
    }

    /// <summary>What a status change does to its claim, for a tracked claim (the API writes the same with one UPDATE).</summary>
    public static void Apply(Claim claim, StatusChange change)
    {
        claim.Status = change.To;
        claim.StatusReason = change.Reason;
        claim.StatusChangedAt = change.At;
        claim.UpdatedAt = change.At;
    }
}
