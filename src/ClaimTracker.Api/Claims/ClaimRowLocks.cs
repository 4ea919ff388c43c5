using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// The one order in which a transaction locks several claims: all at once, in ascending id, before it writes any of them.
/// Writes that bump a set of claims (a PATCH its parent and parts, a content revision the claims whose quotes moved) would
/// otherwise lock overlapping sets in different orders and deadlock; PostgreSQL would then roll one back (answered 409
/// `/problems/write-conflict` by <see cref="Http.DatabaseFailureExceptionHandler"/>). Across the API the order is:
/// partOf lock → source → claims by ascending id → history chain lock.
/// </summary>
internal static class ClaimRowLocks
{
    /// <summary>
    /// Locks the claims <paramref name="ids"/> and the parts of <paramref name="partsOf"/> as their UPDATE would
    /// (FOR NO KEY UPDATE: rows referencing them can still be inserted), in ascending id.
    /// </summary>
    public static async Task LockAsync(ClaimTrackerDbContext db, IEnumerable<Guid?> ids, Guid? partsOf, CancellationToken cancellationToken)
    {
        var rows = ids.OfType<Guid>().Distinct().ToArray();
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM claims WHERE id = ANY({rows}) OR part_of_id = {partsOf} ORDER BY id FOR NO KEY UPDATE", cancellationToken);
    }
}
