using ClaimTracker.Api.Appearances;

namespace ClaimTracker.Api.UnitTests.Appearances;

public sealed class QuoteAnchoringTests
{
    private const string Text =
        "Il portavoce ha dichiarato: “Le informazioni non sono corrette”. Poi: “le voci non sono corrette”, ha affermato.";

    [Fact]
    public void UniqueQuoteIsFoundWithOffsetsThatSliceTheText()
    {
        var result = QuoteAnchoring.Locate(Text, "Le informazioni non sono corrette");

        Assert.True(result.IsFound);
        Assert.Equal("Le informazioni non sono corrette", Text[result.Start..result.End]);
    }

    [Fact]
    public void QuoteNotInTheTextIsNotFound()
    {
        var result = QuoteAnchoring.Locate(Text, "ByteDance conferma");

        Assert.False(result.IsFound);
        Assert.Equal(0, result.Matches);
    }

    [Fact]
    public void RepeatedQuoteIsAmbiguousAndCountsItsMatches()
    {
        var result = QuoteAnchoring.Locate(Text, "non sono corrette");

        Assert.False(result.IsFound);
        Assert.Equal(2, result.Matches);
    }

    [Fact]
    public void PrefixChoosesAmongRepeats()
    {
        var result = QuoteAnchoring.Locate(Text, "non sono corrette", prefix: "le voci ");

        Assert.True(result.IsFound);
        Assert.Equal(Text.LastIndexOf("non sono corrette", StringComparison.Ordinal), result.Start);
    }

    [Fact]
    public void SuffixChoosesAmongRepeats()
    {
        var result = QuoteAnchoring.Locate(Text, "non sono corrette", suffix: "”. Poi");

        Assert.True(result.IsFound);
        Assert.Equal(Text.IndexOf("non sono corrette", StringComparison.Ordinal), result.Start);
    }

    [Fact]
    public void PrefixThatMatchesNoOccurrenceMeansNotFound()
    {
        Assert.Equal(0, QuoteAnchoring.Locate(Text, "non sono corrette", prefix: "i dati ").Matches);
    }

    [Fact]
    public void OverlappingOccurrencesAreAllCounted()
    {
        Assert.Equal(2, QuoteAnchoring.Locate("aaa", "aa").Matches);
    }

    [Fact]
    public void OffsetsCountUtf16CodeUnits()
    {
        // 🇮🇹 is four UTF-16 code units: a JavaScript client slicing with the same offsets gets the same text.
        const string text = "🇮🇹 Chip AI: 12 miliardi";
        var result = QuoteAnchoring.Locate(text, "12 miliardi");

        Assert.Equal(14, result.Start);
        Assert.Equal(25, result.End);
    }

    [Fact]
    public void EmptyQuoteOrContentIsNeverFound()
    {
        Assert.False(QuoteAnchoring.Locate(Text, "").IsFound);
        Assert.False(QuoteAnchoring.Locate(null, "chip").IsFound);
    }

    [Fact]
    public void ContextTakesUpTo32CharactersEachSide()
    {
        var start = Text.IndexOf("Poi", StringComparison.Ordinal);
        var (prefix, suffix) = QuoteAnchoring.Context(Text, start, start + 3);

        Assert.Equal(32, prefix.Length);
        Assert.EndsWith("corrette”. ", prefix);
        Assert.Equal(32, suffix.Length);
        Assert.Equal("", QuoteAnchoring.Context(Text, 0, 2).Prefix);
    }
}
