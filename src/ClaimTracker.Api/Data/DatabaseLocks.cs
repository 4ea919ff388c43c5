using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Data;

/// <summary>
/// Every lock a write takes beyond its own row's UPDATE, and the one order in which a transaction takes them, so that no
/// two of the API's writes can deadlock (docs/decisions/009-concurrent-writes-and-database-failures.md):
/// <list type="number">
/// <item>the partOf lock (advisory): a PATCH that sets `partOf`, so that two patches cannot make a cycle together;</item>
/// <item>the source row: FOR SHARE while an appearance is added, the ETag-guarded UPDATE of a content revision;</item>
/// <item>claim rows, all of a write's at once, in ascending id (<see cref="LockClaimsAsync"/>);</item>
/// <item>the history chain lock (advisory): every status change, held to commit, after its claim's UPDATE.</item>
/// </list>
/// Before all of these (0): the import lock (advisory), around each review a ClaimReview import writes, so that concurrent
/// imports of one review, or of two reviews of one new claim, do not both create it.
/// The webhook fan-out lock (advisory) is taken alone, by a worker's fan-out of the status chain (WebhookStatusFanOut).
/// The start-up lock is taken alone, on a session of its own, around migrations and the seed (<see cref="HoldStartupLockAsync"/>);
/// the seed lock inside it, around the seed. All others are transaction-scoped: COMMIT or ROLLBACK releases them. A deadlock that happens anyway (a writer outside the API) is 409 `/problems/write-conflict`.
/// </summary>
public static class DatabaseLocks
{
    // Any distinct constants will do: each names one lock.
    public const long PartOfKey = 0x436C61696D50;
    public const long ChainKey = 0x436C61696D5472;
    public const long SeedKey = 0x53746F72795365;
    public const long StartupKey = 0x4D696772617465;
    public const long ImportKey = 0x496D706F727473;
    public const long WebhookFanOutKey = 0x576562686F6F6B;

    /// <summary>0. Serialises the reviews that ClaimReview imports write, one review (one transaction) at a time.</summary>
    public static Task LockImportsAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        AdvisoryAsync(db, ImportKey, cancellationToken);

    /// <summary>1. Serialises the patches that set `partOf` (the cycle check reads what the previous one committed).</summary>
    public static Task LockPartOfAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        AdvisoryAsync(db, PartOfKey, cancellationToken);

    /// <summary>
    /// 3. Locks the claims <paramref name="ids"/> and the parts of <paramref name="partsOf"/> as their UPDATE would
    /// (FOR NO KEY UPDATE: rows referencing them can still be inserted), in ascending id, before the write touches any.
    /// </summary>
    public static async Task LockClaimsAsync(ClaimTrackerDbContext db, IEnumerable<Guid?> ids, Guid? partsOf, CancellationToken cancellationToken)
    {
        var rows = ids.OfType<Guid>().Distinct().ToArray();
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM claims WHERE id = ANY({rows}) OR part_of_id = {partsOf} ORDER BY id FOR NO KEY UPDATE", cancellationToken);
    }

    /// <summary>4. Serialises appends to the status history, so that `seq` stays gapless and `prevHash` is the true predecessor.</summary>
    public static Task LockChainAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        AdvisoryAsync(db, ChainKey, cancellationToken);

    /// <summary>Makes instances starting at once on one database seed it once: the others wait, then find the story there.</summary>
    public static Task LockSeedAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        AdvisoryAsync(db, SeedKey, cancellationToken);

    /// <summary>
    /// Holds the start-up lock until disposed, on a connection of its own (a session lock: migrations run in several
    /// transactions). Instances starting at once on one database migrate and seed one after the other: the first does
    /// the work, the others find it done. Disposing unlocks; were the holder to die, PostgreSQL would release the lock with
    /// its session.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldStartupLockAsync(
        Npgsql.NpgsqlDataSource dataSource, Action onWait, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var attempt = new Npgsql.NpgsqlCommand($"SELECT pg_try_advisory_lock({StartupKey})", connection);
            if (await attempt.ExecuteScalarAsync(cancellationToken) is not true)
            {
                onWait();
                // However long the other instance takes (a first migration of a large database may take minutes): no timeout.
                await using var wait = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({StartupKey})", connection) { CommandTimeout = 0 };
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }
            return new StartupLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Releases the start-up lock: explicitly, since a pooled connection's session outlives its Close.</summary>
    private sealed class StartupLock(Npgsql.NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var unlock = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({StartupKey})", connection);
                await unlock.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task AdvisoryAsync(ClaimTrackerDbContext db, long key, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Transaction-scoped locks are taken inside a transaction.");
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
    }
}
