using ClaimTracker.Api.Replicas;
using NpgsqlTypes;

namespace ClaimTracker.Api.UnitTests.Replicas;

public sealed class WalHistoryTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(7);
    private static readonly DateTimeOffset T0 = new(2025, 1, 22, 8, 0, 0, TimeSpan.Zero);

    private static NpgsqlLogSequenceNumber Lsn(ulong value) => new(value);

    [Fact]
    public void NothingIsKnownBeforeThePrimaryIsPolled()
    {
        Assert.Null(new WalHistory(Poll).LagOf(Lsn(100), T0));
    }

    [Fact]
    public void AReplicaThatHasReplayedAnIdlePrimaryHasNoLagHoweverLongItHasBeenIdle()
    {
        var history = new WalHistory(Poll);
        for (var s = 0; s < 60; s++) history.Record(T0.AddSeconds(s), Lsn(100), Keep);

        Assert.Equal(TimeSpan.Zero, history.LagOf(Lsn(100), T0.AddSeconds(60)));
        Assert.Equal(TimeSpan.Zero, history.LagOf(Lsn(150), T0.AddSeconds(60))); // read after the primary: further is fine
    }

    [Fact]
    public void AfterAWriteTheReplicaHasNotReplayedItsLagRunsFromThePollBeforeTheWrite()
    {
        var history = new WalHistory(Poll);
        history.Record(T0, Lsn(100), Keep);
        history.Record(T0.AddSeconds(1), Lsn(100), Keep); // the write happens after this poll
        history.Record(T0.AddSeconds(2), Lsn(200), Keep);
        history.Record(T0.AddSeconds(3), Lsn(200), Keep);

        Assert.Equal(TimeSpan.FromSeconds(2.5), history.LagOf(Lsn(100), T0.AddSeconds(3.5)));
        Assert.Equal(TimeSpan.Zero, history.LagOf(Lsn(200), T0.AddSeconds(3.5)));
    }

    [Fact]
    public void AReplicaBehindEveryKeptSampleLagsMoreThanTheirSpan()
    {
        var history = new WalHistory(Poll);
        for (var s = 0; s <= 20; s++) history.Record(T0.AddSeconds(s), Lsn(100 + (ulong)s), Keep);

        // Samples from 13 s to 20 s are kept; a replica at 50 was caught up before all of them.
        Assert.True(history.LagOf(Lsn(50), T0.AddSeconds(20)) > Keep);
    }
}
