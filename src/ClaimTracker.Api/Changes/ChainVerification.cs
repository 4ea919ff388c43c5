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
}
