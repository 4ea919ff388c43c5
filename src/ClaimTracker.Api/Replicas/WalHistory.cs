using NpgsqlTypes;

namespace ClaimTracker.Api.Replicas;

/// <summary>
/// Where the primary's WAL ended at each recent poll, and what that says of a replica's lag: how long ago the primary
/// was no further than the replica's replay position. Zero when the replica has replayed everything (an idle primary is
/// no lag, unlike `now() - pg_last_xact_replay_timestamp()`); after a write it has not replayed, the time since the last
/// poll before that write, an overestimate by less than one poll. Used by one thread at a time (the monitor).
/// </summary>
internal sealed class WalHistory(TimeSpan pollInterval)
{
    private readonly Queue<(DateTimeOffset At, NpgsqlLogSequenceNumber Lsn)> _samples = new();

    /// <summary>Records a poll of the primary, and forgets what is older than <paramref name="keep"/> (always keeping the newest).</summary>
    public void Record(DateTimeOffset at, NpgsqlLogSequenceNumber lsn, TimeSpan keep)
    {
        _samples.Enqueue((at, lsn));
        while (_samples.Count > 1 && _samples.Peek().At < at - keep) _samples.Dequeue();
    }

    /// <summary>The lag of a replica that has replayed up to <paramref name="replayed"/>; null before the primary was ever polled.</summary>
    public TimeSpan? LagOf(NpgsqlLogSequenceNumber replayed, DateTimeOffset now)
    {
        if (_samples.Count == 0) return null;
        if (_samples.Last().Lsn <= replayed) return TimeSpan.Zero;
        DateTimeOffset? caughtUpAt = null;
        foreach (var (at, lsn) in _samples)
        {
            if (lsn <= replayed) caughtUpAt = at; // oldest first, and the WAL only grows: the last match is the newest
        }
        // Behind even the oldest sample kept: at least a poll further behind than that.
        return now - (caughtUpAt ?? _samples.Peek().At - pollInterval);
    }
}
