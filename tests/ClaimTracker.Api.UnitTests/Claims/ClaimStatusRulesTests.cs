using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.UnitTests.Claims;

/// <summary>The status rules (docs/decisions/002-status-rules.md), without a host or a database.</summary>
public sealed class ClaimStatusRulesTests
{
    [Theory]
    [InlineData(ClaimStatus.Confirmed, true)]
    [InlineData(ClaimStatus.Disputed, true)]
    [InlineData(ClaimStatus.Refuted, true)]
    [InlineData(ClaimStatus.Retracted, true)]
    [InlineData(ClaimStatus.Unverified, false)]
    [InlineData(ClaimStatus.InReview, false)]
    [InlineData(ClaimStatus.Inconclusive, false)]
    public void OnlyVerdictsNeedEvidence(ClaimStatus status, bool needs)
    {
        Assert.Equal(needs, ClaimStatusRules.NeedsEvidence(status));
        Assert.Equal(needs, ClaimStatusRules.MissingEvidence(status, evidenceCount: 0) is not null);
        Assert.Null(ClaimStatusRules.MissingEvidence(status, evidenceCount: 1));
    }

    [Fact]
    public void MissingEvidenceNamesTheStatusAsItsWord() =>
        Assert.Contains("refuted", ClaimStatusRules.MissingEvidence(ClaimStatus.Refuted, 0));

    [Theory]
    [InlineData(ClaimStatus.Confirmed, 5, "True")]
    [InlineData(ClaimStatus.Disputed, 3, "Disputed")]
    [InlineData(ClaimStatus.Inconclusive, 3, "Unproven")]
    [InlineData(ClaimStatus.Refuted, 1, "False")]
    [InlineData(ClaimStatus.Retracted, 1, "Retracted")]
    public void VerdictsAreRatedAsTheStatusTableSays(ClaimStatus status, int value, string name) =>
        Assert.Equal(new ReviewRatingValue(value, name), ClaimStatusRules.RatingOf(status));

    [Theory]
    [InlineData(ClaimStatus.Unverified)]
    [InlineData(ClaimStatus.InReview)]
    public void StatusesBeforeAVerdictHaveNoRating(ClaimStatus status) => Assert.Null(ClaimStatusRules.RatingOf(status));

    [Fact]
    public void EveryStatusHasARuleForRatingAndEvidence()
    {
        foreach (var status in Enum.GetValues<ClaimStatus>())
        {
            // A verdict that needs evidence is one ClaimReview can publish; inconclusive is published without needing it.
            if (ClaimStatusRules.NeedsEvidence(status)) Assert.NotNull(ClaimStatusRules.RatingOf(status));
        }
    }

    [Fact]
    public void AWellFormedChangePasses()
    {
        var errors = new ValidationErrors();

        ClaimStatusRules.Validate(new ChangeStatusRequest(ClaimStatus.Disputed, "ByteDance denies it.",
            [new EvidenceRequest(Guid.CreateVersion7(), null), new EvidenceRequest(null, Guid.CreateVersion7())]), errors);

        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void AReasonIsRequired(string reason)
    {
        var errors = new ValidationErrors();

        ClaimStatusRules.Validate(new ChangeStatusRequest(ClaimStatus.InReview, reason, null), errors);

        Assert.Equal(["reason"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void AReasonOver2000CharactersIsRefused()
    {
        var errors = new ValidationErrors();

        ClaimStatusRules.Validate(new ChangeStatusRequest(ClaimStatus.InReview, new string('x', 2001), null), errors);

        Assert.Equal(["reason"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void AnUndefinedStatusIsRefused()
    {
        var errors = new ValidationErrors();

        ClaimStatusRules.Validate(new ChangeStatusRequest((ClaimStatus)42, "Why.", null), errors);

        Assert.Equal(["status"], errors.ToDictionary().Keys);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void EachPieceOfEvidenceNamesExactlyOneThing(bool appearance, bool source)
    {
        var errors = new ValidationErrors();
        var piece = new EvidenceRequest(appearance ? Guid.CreateVersion7() : null, source ? Guid.CreateVersion7() : null);

        ClaimStatusRules.Validate(new ChangeStatusRequest(ClaimStatus.Confirmed, "Why.", [piece]), errors);

        Assert.Equal(["evidence"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void AtMostFiftyPiecesOfEvidence()
    {
        var errors = new ValidationErrors();
        var evidence = Enumerable.Range(0, ClaimStatusRules.MaxEvidence + 1).Select(_ => new EvidenceRequest(Guid.CreateVersion7(), null)).ToList();

        ClaimStatusRules.Validate(new ChangeStatusRequest(ClaimStatus.Confirmed, "Why.", evidence), errors);

        Assert.Equal(["evidence"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void EvidenceIsSplitIntoDistinctAppearancesAndSources()
    {
        var (appearance, source) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var (appearances, sources) = ClaimStatusRules.Split(
            [new(appearance, null), new(null, source), new(appearance, null), new(null, source)]);

        Assert.Equal([appearance], appearances);
        Assert.Equal([source], sources);
    }
}
