using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

/// <summary>
/// The outcome of walking the hash chain: `checked` rows were read, up to and including the first broken one;
/// `firstBrokenSeq` is null when the whole chain holds.
/// </summary>
public sealed record ChainVerificationResponse(long Checked, bool Valid, long? FirstBrokenSeq);

public static class ChainVerification
{
    public const int DefaultBatchSize = 5000;

    /// <summary>
    /// Walks the whole chain in seq order, <paramref name="batchSize"/> rows at a time (keyset on seq, so memory stays
    /// flat however long the chain), and stops at the first break. A row whose hash or link is wrong is named by its
    /// own seq; missing rows by the first missing seq.
    /// </summary>
    public static async Task<ChainVerificationResponse> VerifyAsync(
        ClaimTrackerDbContext db, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        StatusChange? previous = null;
        long checkedRows = 0;
        while (true)
        {
            var after = previous?.Seq ?? 0;
            var batch = await db.StatusChanges.AsNoTracking()
                .Where(c => c.Seq > after).OrderBy(c => c.Seq).Take(batchSize)
                .ToListAsync(cancellationToken);

            if (HashChain.FirstBroken(batch, previous) is { } broken)
            {
                checkedRows += batch.FindIndex(c => c.Seq == broken) + 1;
                // A gap means rows were deleted: the first missing seq is where the chain breaks.
                var before = batch.LastOrDefault(c => c.Seq < broken) ?? previous;
                var firstMissing = (before?.Seq ?? 0) + 1;
                return new ChainVerificationResponse(checkedRows, Valid: false, FirstBrokenSeq: Math.Min(broken, firstMissing));
            }
            checkedRows += batch.Count;
            if (batch.Count < batchSize) return new ChainVerificationResponse(checkedRows, Valid: true, FirstBrokenSeq: null);
            previous = batch[^1];
        }
    }

    /// <summary>
    /// Checks one claim's links of the chain without walking all of it: each of <paramref name="claimChanges"/> (the
    /// claim's rows) must recompute to its stored hash and follow the chain's row before it (its `prevHash` is that
    /// row's hash), and the row after it must follow it. Two index lookups per change at most, in one query. What it
    /// cannot see (a row of another claim rewritten, a gap elsewhere) is left to <see cref="VerifyAsync"/>.
    /// </summary>
    public static async Task<ChainVerificationResponse> VerifyClaimAsync(
        ClaimTrackerDbContext db, IReadOnlyList<StatusChange> claimChanges, CancellationToken cancellationToken)
    {
        var own = claimChanges.Select(c => c.Seq).ToHashSet();
        var neighbours = own.SelectMany(seq => new[] { seq - 1, seq + 1 }).Where(seq => seq > 0 && !own.Contains(seq)).ToList();
        var rows = claimChanges.ToDictionary(c => c.Seq);
        if (neighbours.Count > 0)
        {
            foreach (var row in await db.StatusChanges.AsNoTracking().Where(c => neighbours.Contains(c.Seq)).ToListAsync(cancellationToken))
            {
                rows[row.Seq] = row;
            }
        }

        var checkedRows = new HashSet<long>();
        foreach (var change in claimChanges.OrderBy(c => c.Seq))
        {
            // The first row follows the genesis hash; any other follows the row before it, which must be there.
            var previous = change.Seq == 1 ? null : rows.GetValueOrDefault(change.Seq - 1);
            if (change.Seq > 1 && previous is null) return Broken(change.Seq - 1);
            if (previous is not null) checkedRows.Add(previous.Seq);
            checkedRows.Add(change.Seq);
            if (HashChain.FirstBroken([change], previous) is { } broken) return Broken(broken);
            if (rows.GetValueOrDefault(change.Seq + 1) is { } next)
            {
                checkedRows.Add(next.Seq);
                if (HashChain.FirstBroken([next], change) is { } brokenNext) return Broken(brokenNext);
            }
        }
        return new ChainVerificationResponse(checkedRows.Count, Valid: true, FirstBrokenSeq: null);

        ChainVerificationResponse Broken(long seq) => new(checkedRows.Count, Valid: false, FirstBrokenSeq: seq);
    }
}
