using ClaimTracker.Api.Replicas;
using NpgsqlTypes;

namespace ClaimTracker.Api.UnitTests.Replicas;

/// <summary>Which replica a read may use. Building the pools opens no connection.</summary>
public sealed class ReplicaSetTests
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(5);

    [Fact]
    public void NoSettingMeansNoReplicaAndEveryReadOnThePrimary()
    {
        var none = ReplicaSet.Create(null);
        Assert.False(none.Enabled);
        Assert.Null(none.Choose(null, MaxLag));
    }

    [Fact]
    public async Task EachHostGetsItsOwnPoolWithItsOwnPort()
    {
        await using var set = ReplicaSet.Create("Host=r1,r2:5433,[::1]:5434;Port=6432;Username=reader;Database=claimtracker");

        Assert.Equal(["r1:6432", "r2:5433", "::1:5434"], set.Replicas.Select(r => r.Name));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("Host=replica;Username=reader", true)]
    [InlineData("Host=replica;Port=many", false)]
    [InlineData("Hots=replica", false)]
    [InlineData("Username=reader;Host=,", false)]
    public void TheSettingIsCheckedAtStartUp(string? connectionString, bool valid)
    {
        Assert.Equal(valid, ReplicaSet.IsValid(connectionString));
    }

    [Fact]
    public async Task AReplicaIsChosenOnlyIfItAnswersLagsLittleAndHasReplayedTheToken()
    {
        await using var set = ReplicaSet.Create("Host=r1;Username=reader");
        var replica = set.Replicas[0];

        Assert.Null(set.Choose(null, MaxLag)); // not polled yet
        replica.State = new ReplicaState(true, new NpgsqlLogSequenceNumber(100), TimeSpan.Zero, null);
        Assert.Same(replica, set.Choose(null, MaxLag));
        Assert.Same(replica, set.Choose(new NpgsqlLogSequenceNumber(100), MaxLag));
        Assert.Null(set.Choose(new NpgsqlLogSequenceNumber(101), MaxLag)); // has not replayed the token

        replica.State = replica.State with { Lag = TimeSpan.FromSeconds(6) };
        Assert.Null(set.Choose(null, MaxLag));

        replica.State = ReplicaState.Down("connection refused");
        Assert.Null(set.Choose(null, MaxLag));
    }

    [Fact]
    public async Task AmongUsableReplicasOnlyThoseThatReplayedTheTokenAreChosen()
    {
        await using var set = ReplicaSet.Create("Host=r1,r2;Username=reader");
        set.Replicas[0].State = new ReplicaState(true, new NpgsqlLogSequenceNumber(100), TimeSpan.Zero, null);
        set.Replicas[1].State = new ReplicaState(true, new NpgsqlLogSequenceNumber(200), TimeSpan.FromSeconds(1), null);

        for (var i = 0; i < 20; i++) Assert.Same(set.Replicas[1], set.Choose(new NpgsqlLogSequenceNumber(150), MaxLag));
        var chosen = Enumerable.Range(0, 200).Select(_ => set.Choose(null, MaxLag)).ToHashSet();
        Assert.Equal(2, chosen.Count); // both serve reads without a token
    }
}
