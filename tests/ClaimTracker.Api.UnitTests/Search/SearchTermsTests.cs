using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.UnitTests.Search;

/// <summary>How `q` is validated and which words it excludes: pure rules, no host.</summary>
public sealed class SearchTermsTests
{
    [Theory]
    [InlineData("bytedance -nvidia", "\"nvidia\"")]
    [InlineData("chips -\"export rule\" -h100", "\"export rule\" or \"h100\"")]
    [InlineData("ban - divieto", "\"divieto\"")]      // a lone dash still excludes the next word, as websearch_to_tsquery reads it
    [InlineData("\"chips\"-nvidia", "\"nvidia\"")]    // a phrase ends where its quote does
    [InlineData("AI-chip", null)]                     // a dash inside a word is text
    [InlineData("a,-b", null)]
    [InlineData("\"ban -divieto\"", null)]            // so is a dash inside a phrase
    [InlineData("--ban tiktok", null)]                // two dashes cancel out
    [InlineData("ban -!!!", null)]                    // an exclusion with no word excludes nothing
    public void ExclusionsAreReadAsWebSearchReadsThem(string q, string? excluded)
    {
        var errors = new ValidationErrors();

        var terms = ClaimSearch.Parse(q, errors);

        Assert.False(errors.Any);
        Assert.Equal(new SearchTerms(q, excluded), terms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("!?\"\"")]
    [InlineData("-ban")]
    [InlineData("-ban -\"Corte Suprema\"")]
    public void AQWithNoWordToLookForIsRejected(string q)
    {
        var errors = new ValidationErrors();

        Assert.Null(ClaimSearch.Parse(q, errors));
        Assert.Equal(["q"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void NoQIsNoSearch()
    {
        var errors = new ValidationErrors();

        Assert.Null(ClaimSearch.Parse(null, errors));
        Assert.False(errors.Any);
    }
}
