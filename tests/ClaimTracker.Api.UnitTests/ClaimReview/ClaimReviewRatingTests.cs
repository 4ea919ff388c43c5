using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.UnitTests.ClaimReview;

/// <summary>The ClaimReview rating of each status (DESIGN's table), without a host.</summary>
public sealed class ClaimReviewRatingTests
{
    [Theory]
    [InlineData(ClaimStatus.Confirmed, 5, "True")]
    [InlineData(ClaimStatus.Disputed, 3, "Disputed")]
    [InlineData(ClaimStatus.Inconclusive, 3, "Unproven")]
    [InlineData(ClaimStatus.Refuted, 1, "False")]
    [InlineData(ClaimStatus.Retracted, 1, "Retracted")]
    public void VerdictsAreRatedAsTheDesignTableSays(ClaimStatus status, int value, string name) =>
        Assert.Equal((value, name), ClaimReviewApi.RatingOf(status));

    [Theory]
    [InlineData(ClaimStatus.Unverified)]
    [InlineData(ClaimStatus.InReview)]
    public void StatusesBeforeAVerdictHaveNoRating(ClaimStatus status) => Assert.Null(ClaimReviewApi.RatingOf(status));
}
