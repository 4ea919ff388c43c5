using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.UnitTests.Changes;

public sealed class HashChainTests
{
    private static List<StatusChange> Chain(int length)
    {
        var rows = new List<StatusChange>();
        var claim = Guid.CreateVersion7();
        for (var seq = 1; seq <= length; seq++)
        {
            var row = new StatusChange
            {
                Seq = seq, ClaimId = claim, From = ClaimStatus.Unverified, To = ClaimStatus.InReview,
                Reason = $"Reason {seq}", Actor = "desk", At = new DateTimeOffset(2025, 1, 22, 8, seq, 0, TimeSpan.Zero),
                EvidenceSourceIds = [Guid.CreateVersion7()],
                PrevHash = rows.Count == 0 ? HashChain.Genesis : rows[^1].Hash, Hash = "",
            };
            row.Hash = HashChain.ComputeHash(row);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public void IntactChainHasNoBrokenSeq()
    {
        Assert.Null(HashChain.FirstBroken(Chain(5)));
    }

    [Fact]
    public void EditedReasonIsReportedAtItsSeq()
    {
        var rows = Chain(5);
        rows[2].Reason = "Rewritten quietly";

        Assert.Equal(3, HashChain.FirstBroken(rows));
    }

    [Fact]
    public void RecomputedHashStillBreaksTheNextLink()
    {
        var rows = Chain(5);
        rows[2].To = ClaimStatus.Confirmed;
        rows[2].Hash = HashChain.ComputeHash(rows[2]);

        Assert.Equal(4, HashChain.FirstBroken(rows));
    }

    [Fact]
    public void DeletedRowIsReportedAsAGap()
    {
        var rows = Chain(5);
        rows.RemoveAt(1);

        Assert.Equal(3, HashChain.FirstBroken(rows));
    }

    [Fact]
    public void VerificationCanContinueFromTheLastCheckedRow()
    {
        var rows = Chain(6);

        Assert.Null(HashChain.FirstBroken(rows.Skip(3), previous: rows[2]));
    }

    [Fact]
    public void HashDependsOnEveryField()
    {
        var row = Chain(1)[0];
        var original = HashChain.ComputeHash(row);

        row.Actor = "someone else";
        Assert.NotEqual(original, HashChain.ComputeHash(row));
    }

    [Fact]
    public void EvidenceOrderDoesNotChangeTheHash()
    {
        var row = Chain(1)[0];
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        row.EvidenceAppearanceIds = [a, b];
        var forward = HashChain.ComputeHash(row);
        row.EvidenceAppearanceIds = [b, a];

        Assert.Equal(forward, HashChain.ComputeHash(row));
    }

    [Fact]
    public void StoredPrecisionDropsSubMicrosecondTicks()
    {
        var at = new DateTimeOffset(2025, 1, 22, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

        Assert.Equal(1_234_560, HashChain.ToStoredPrecision(at).UtcTicks % TimeSpan.TicksPerSecond);
    }
}
