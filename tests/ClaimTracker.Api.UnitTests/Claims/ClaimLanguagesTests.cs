using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.UnitTests.Claims;

public sealed class ClaimLanguagesTests
{
    private static readonly Dictionary<string, string> ItalianAndBrazilian = new() { ["it"] = "Italiano.", ["pt-BR"] = "Português." };

    [Theory]
    [InlineData("it", "it")]
    [InlineData("IT", "it")]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("en", "en")]
    [InlineData("zh-Hans", "zh-Hans")]
    [InlineData("xx", null)] // well-formed, but no such language
    [InlineData("it_IT", null)]
    [InlineData("english", null)]
    [InlineData("", null)]
    [InlineData("it-IT-x-private", null)]
    public void TagsAreKnownBcp47InCanonicalCase(string tag, string? expected) =>
        Assert.Equal(expected, ClaimLanguages.Normalize(tag));

    [Theory]
    [InlineData(new string[0], "en")]
    [InlineData(new[] { "it" }, "it")]
    [InlineData(new[] { "it-CH" }, "it")] // lookup falls back from the region
    [InlineData(new[] { "pt" }, "en")] // lookup never widens: pt does not pick pt-BR
    [InlineData(new[] { "pt-BR" }, "pt-BR")]
    [InlineData(new[] { "PT-br" }, "pt-BR")]
    [InlineData(new[] { "fr", "de", "it" }, "it")]
    [InlineData(new[] { "en-GB", "it" }, "en")]
    [InlineData(new[] { "*" }, "en")]
    public void TheFirstPreferenceTheClaimHasWinsElseEnglish(string[] preference, string expected) =>
        Assert.Equal(expected, ClaimLanguages.Choose(ItalianAndBrazilian, preference));

    [Fact]
    public void StatementsValidateAgainstTheStatement()
    {
        var errors = new ValidationErrors();
        var translations = ClaimLanguages.Translations(
            new Dictionary<string, string?> { ["en"] = " Same. ", ["IT"] = " Stesso. " }, "Same.", errors);

        Assert.False(errors.Any);
        Assert.Equal(new Dictionary<string, string> { ["it"] = "Stesso." }, translations);
    }

    [Fact]
    public void TooManyLanguagesAreRefused()
    {
        var errors = new ValidationErrors();
        var many = new[] { "it", "fr", "de", "es", "pt", "nl", "sv", "da", "fi", "pl", "cs", "sk", "sl", "hr", "ro", "hu", "el", "bg", "lt", "lv", "et", "ga" }
            .ToDictionary(t => t, string? (t) => "x");

        ClaimLanguages.Translations(many, "S.", errors);

        Assert.Contains("statements", errors.ToDictionary().Keys);
    }
}
