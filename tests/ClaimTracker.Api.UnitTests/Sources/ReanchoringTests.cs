using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Sources;

namespace ClaimTracker.Api.UnitTests.Sources;

public sealed class ReanchoringTests
{
    private const string Quote = "non sono corrette";

    private static Quote AnchoredIn(string content, string exact)
    {
        var found = QuoteAnchoring.Locate(content, exact);
        Assert.True(found.IsFound);
        var (prefix, suffix) = QuoteAnchoring.Context(content, found.Start, found.End);
        return new Quote { Exact = exact, Prefix = prefix, Suffix = suffix, Start = found.Start, End = found.End, Anchor = AnchorState.Anchored };
    }

    private static ReanchoredQuote Reanchor(string content, Quote quote) =>
        Reanchoring.Reanchor(content, quote.Exact, quote.Prefix, quote.Suffix);

    [Fact]
    public void UnchangedContentLeavesTheQuoteExactlyAsItWas()
    {
        const string content = "Il portavoce ha detto che le informazioni non sono corrette, e nulla più.";
        var quote = AnchoredIn(content, Quote);

        Assert.True(Reanchor(content, quote).SameAs(quote));
    }

    [Fact]
    public void QuoteMovedByAnInsertionGetsOffsetsThatSliceTheNewContentAndFreshContext()
    {
        var quote = AnchoredIn("Il portavoce ha detto che le informazioni non sono corrette.", Quote);
        const string revised = "AGGIORNAMENTO: ByteDance ha risposto. Il portavoce ha detto che le informazioni non sono corrette.";

        var result = Reanchor(revised, quote);

        Assert.Equal(AnchorState.Anchored, result.Anchor);
        Assert.Equal(Quote, revised[result.Start!.Value..result.End!.Value]);
        Assert.Equal((revised[(result.Start.Value - 32)..result.Start.Value], "."), (result.Prefix, result.Suffix));
        Assert.False(result.SameAs(quote));
    }

    [Fact]
    public void QuoteWhoseContextWasEditedIsFoundByItsExactTextAlone()
    {
        var quote = AnchoredIn("Il portavoce ha detto che le informazioni non sono corrette.", Quote);
        const string revised = "Un portavoce di ByteDance ha affermato che i dati non sono corrette!";

        var result = Reanchor(revised, quote);

        Assert.Equal(AnchorState.Anchored, result.Anchor);
        Assert.Equal(Quote, revised[result.Start!.Value..result.End!.Value]);
        Assert.Equal("!", result.Suffix);
    }

    [Fact]
    public void RepeatedQuoteIsTheOneItsOldContextPointsTo()
    {
        var quote = AnchoredIn("Secondo il portavoce le voci non sono corrette.", Quote);
        const string revised = "Le stime non sono corrette, dicono gli analisti. Secondo il portavoce le voci non sono corrette.";

        var result = Reanchor(revised, quote);

        Assert.Equal(AnchorState.Anchored, result.Anchor);
        Assert.Equal(revised.LastIndexOf(Quote, StringComparison.Ordinal), result.Start);
    }

    [Fact]
    public void QuoteRepeatedWithoutDistinguishingContextIsOrphanedKeepingItsOldContext()
    {
        var quote = AnchoredIn("Il portavoce: le informazioni non sono corrette.", Quote);
        const string revised = "Prima: non sono corrette. Dopo: non sono corrette.";

        var result = Reanchor(revised, quote);

        Assert.Equal(new ReanchoredQuote(AnchorState.Orphaned, null, null, quote.Prefix, quote.Suffix), result);
    }

    [Fact]
    public void QuoteWhoseTextWasRemovedIsOrphanedKeepingItsOldContext()
    {
        var quote = AnchoredIn("Il portavoce ha detto che le informazioni non sono corrette.", Quote);

        var result = Reanchor("Il portavoce non ha risposto alle richieste di commento.", quote);

        Assert.Equal(new ReanchoredQuote(AnchorState.Orphaned, null, null, quote.Prefix, quote.Suffix), result);
    }

    [Fact]
    public void OrphanedQuoteIsAnchoredAgainWhenItsTextReturns()
    {
        var orphan = new Quote { Exact = Quote, Prefix = "le informazioni ", Suffix = ".", Anchor = AnchorState.Orphaned };
        const string revised = "Il portavoce ha detto che le informazioni non sono corrette.";

        var result = Reanchor(revised, orphan);

        Assert.Equal(AnchorState.Anchored, result.Anchor);
        Assert.Equal(Quote, revised[result.Start!.Value..result.End!.Value]);
    }

    [Fact]
    public void OffsetsCountUtf16CodeUnits()
    {
        var quote = AnchoredIn("Il portavoce: non sono corrette.", Quote);
        const string revised = "🚫 Smentita 🇨🇳 — Il portavoce: non sono corrette.";

        var result = Reanchor(revised, quote);

        Assert.Equal(revised.IndexOf(Quote, StringComparison.Ordinal), result.Start);
        Assert.Equal(Quote, revised[result.Start!.Value..result.End!.Value]);
    }

    [Fact]
    public void ApplyingAReanchoredQuoteChangesItsSelectorsButNeverItsText()
    {
        var quote = new Quote { Exact = Quote, Prefix = "x", Suffix = "y", Start = 1, End = 18, Anchor = AnchorState.Anchored };

        new ReanchoredQuote(AnchorState.Orphaned, null, null, "x", "y").ApplyTo(quote);

        Assert.Equal((Quote, "x", "y", (int?)null, (int?)null, AnchorState.Orphaned),
            (quote.Exact, quote.Prefix, quote.Suffix, quote.Start, quote.End, quote.Anchor));
    }
}

public sealed class SourceFieldsTests
{
    [Fact]
    public void ContentHashIsLowercaseHexSha256OfTheUtf8Bytes()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SourceFields.Sha256("abc"));
        Assert.Equal("97c916cd94785d7b9b52ae7013c267854f275691ddaae212bc1c07f639b8a0c7", SourceFields.Sha256("è")); // UTF-8 c3 a8
        Assert.Null(SourceFields.Sha256(null));
    }

    [Theory]
    [InlineData("it", "it")]
    [InlineData("EN-us", "en-US")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("sr-LATN", "sr-Latn")]
    [InlineData("es-419", "es-419")]
    [InlineData("en-x-ab-abcd", "en-x-ab-abcd")]
    public void LanguageTagsAreStoredInTheirCanonicalCase(string sent, string stored) =>
        Assert.Equal(stored, SourceFields.CanonicalLanguage(sent));
}
