using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.ClaimReviews;
using ClaimTracker.Api.Entities;

namespace ClaimTracker.Api.UnitTests.ClaimReviews;

/// <summary>A review's rating to a stance (decision 019), and what the reader accepts of real feeds.</summary>
public sealed class ReviewRatingsTests
{
    [Theory]
    [InlineData(1, 5, 1, Stance.Disputes)]
    [InlineData(2, 5, 1, Stance.Disputes)]    // 0.25: the boundary disputes
    [InlineData(3, 5, 1, Stance.Reports)]
    [InlineData(4, 5, 1, Stance.Supports)]    // 0.75: the boundary supports
    [InlineData(5, 5, 1, Stance.Supports)]
    [InlineData(0, 6, 0, Stance.Disputes)]    // PolitiFact's Pants on fire on 0–6
    [InlineData(4, 6, 0, Stance.Reports)]     // 0.67
    [InlineData(75, 100, 0, Stance.Supports)]
    public void TheNormalisedValueDecides(int value, int best, int worst, Stance stance) =>
        Assert.Equal(stance, ReviewRatings.StanceOf(new ImportedRating(value, best, worst, "whatever the words say")));

    [Fact]
    public void AValueWithoutAScaleIsOnSchemaOrgsDefaultOneToFive() =>
        Assert.Equal(Stance.Supports, ReviewRatings.StanceOf(new ImportedRating(5, null, null, null)));

    [Theory]
    [InlineData("True", Stance.Supports)]
    [InlineData("Mostly true", Stance.Supports)]
    [InlineData("Half True", Stance.Reports)]
    [InlineData("Misleading", Stance.Disputes)]
    [InlineData("Mostly False", Stance.Disputes)]
    [InlineData("False", Stance.Disputes)]
    [InlineData("Pants on Fire!", Stance.Disputes)]
    [InlineData("Vero", Stance.Supports)]
    [InlineData("C’eri quasi", Stance.Supports)]   // a typographic apostrophe
    [InlineData("C'eri quasi", Stance.Supports)]
    [InlineData("Nì", Stance.Reports)]
    [InlineData("Ni", Stance.Reports)]
    [InlineData("Pinocchio andante", Stance.Disputes)]
    [InlineData("  Panzana   pazzesca ", Stance.Disputes)]
    [InlineData("Falso", Stance.Disputes)]
    [InlineData("Disputed", Stance.Reports)]
    public void WithoutNumbersTheWordsDecide(string words, Stance stance) =>
        Assert.Equal(stance, ReviewRatings.StanceOf(new ImportedRating(null, null, null, words)));

    [Theory]
    [InlineData(-1, 5, 1, "False", Stance.Disputes)]   // -1, "not rated" in some feeds: out of range, the words decide
    [InlineData(3, 1, 5, "Vero", Stance.Supports)]     // best below worst: no scale
    [InlineData(null, 5, 1, "Needs context", null)]
    [InlineData(null, null, null, null, null)]
    public void OutOfRangeNumbersFallBackToTheWordsAndUnknownWordsGiveNoStance(int? value, int? best, int? worst, string? words, Stance? stance) =>
        Assert.Equal(stance, ReviewRatings.StanceOf(new ImportedRating(value, best, worst, words)));

    [Fact]
    public void NumbersAsStringsAuthorsAsArraysAndALanguageObjectAreRead()
    {
        var review = Read("""
            { "@type": "ClaimReview", "url": "https://factcheck.example/a", "claimReviewed": " Mars has two moons ",
              "author": [{ "@type": "Organization", "name": "Desk" }, { "@type": "Person", "name": "Editor" }],
              "inLanguage": { "@type": "Language", "name": "English", "alternateName": "en-gb" },
              "itemReviewed": { "@type": "Claim", "author": [{ "@type": "Person", "name": "An Astronomer" }], "appearance": { "url": "https://x.example" } },
              "reviewRating": { "@type": "Rating", "ratingValue": "4.5", "bestRating": "5", "worstRating": 1 } }
            """, out var reason);

        Assert.True(review is not null, reason);
        Assert.Equal(("Mars has two moons", "Desk", "en-GB", Stance.Supports), (review.ClaimReviewed, review.Publisher, review.Language, review.Stance));
        Assert.Equal(new ImportedAgent("An Astronomer", EntityKind.Person), review.Claimant);
        Assert.Equal("Desk: Mars has two moons", review.Title);
        Assert.Equal("Mars has two moons\n\nRating: (no name) (4.5 on a scale of 1 to 5)", review.Content);
    }

    [Theory]
    [InlineData("""{ "@type": "ClaimReview", "url": "ftp://x.example/a", "claimReviewed": "c", "reviewRating": { "alternateName": "False" } }""", "absolute http or https URL")]
    [InlineData("""{ "@type": "ClaimReview", "url": "https://x.example/a", "reviewRating": { "alternateName": "False" } }""", "claimReviewed is required")]
    [InlineData("""{ "@type": "ClaimReview", "url": "https://x.example/a", "claimReviewed": "c" }""", "reviewRating is required")]
    [InlineData("""{ "@type": "ClaimReview", "url": "https://x.example/a", "claimReviewed": "c", "inLanguage": "not a tag", "reviewRating": { "alternateName": "False" } }""", "inLanguage 'not a tag'")]
    [InlineData("""{ "@type": "ClaimReview", "url": "https://x.example/a", "claimReviewed": { "text": "c" }, "reviewRating": { "alternateName": "False" } }""", "claimReviewed must be text")]
    public void AMalformedFieldRejectsTheReviewNamingIt(string json, string expected)
    {
        Assert.Null(Read(json, out var reason));
        Assert.Contains(expected, reason);
    }

    [Fact]
    public void ADataFeedOfItemsAnArrayAndAGraphAllYieldTheirReviews()
    {
        const string review = """{ "@type": "ClaimReview", "url": "https://x.example/a" }""";
        Assert.Equal(3, Count($$"""{ "@type": "DataFeed", "dataFeedElement": [ { "@type": "DataFeedItem", "item": [{{review}}, {{review}}] }, {{review}} ] }"""));
        Assert.Equal(2, Count($"[{review}, {review}]"));
        Assert.Equal(1, Count($$"""{ "@context": "https://schema.org", "@graph": [{{review}}] }"""));
        Assert.Equal(1, Count(review));
        Assert.Null(ClaimReviewReader.Items(JsonDocument.Parse("42").RootElement));
    }

    private static ImportedReview? Read(string json, out string reason) => ClaimReviewReader.Read(JsonDocument.Parse(json).RootElement, out reason);

    private static int Count(string json) => ClaimReviewReader.Items(JsonDocument.Parse(json).RootElement)!.Count;
}
