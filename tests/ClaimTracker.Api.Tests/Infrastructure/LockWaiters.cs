using Npgsql;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>
/// Watches, from a test's own connection, for sessions of its database waiting for a lock (a row, a table or an advisory
/// lock): how a test knows a request has reached the point it holds up, without sleeping and hoping.
/// </summary>
public static class LockWaiters
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sessions of <paramref name="connection"/>'s database waiting for a lock now.</summary>
    public static async Task<long> CountAsync(NpgsqlConnection connection)
    {
        // pg_stat_activity is read once per transaction unless its snapshot is cleared, and the connection may be in one.
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync(Ct);
        }
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Waits (up to 10 s) until <paramref name="count"/> sessions wait for a lock; fails if a request ends first.</summary>
    public static async Task WaitForAsync(NpgsqlConnection connection, int count, params Task[] requests)
    {
        for (var i = 0; i < 200 && !requests.Any(r => r.IsCompleted); i++)
        {
            if (await CountAsync(connection) >= count) return;
            await Task.Delay(50, Ct);
        }
        Assert.Fail(requests.Any(r => r.IsCompleted) ? "A request ended instead of waiting for the lock." : "The requests never reached the lock.");
    }
}
