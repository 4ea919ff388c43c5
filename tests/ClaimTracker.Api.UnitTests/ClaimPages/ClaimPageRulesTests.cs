using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.ClaimPages;
using ClaimTracker.Api.Claims;
using Microsoft.AspNetCore.Http;

namespace ClaimTracker.Api.UnitTests.ClaimPages;

/// <summary>The claim page's pure rules: a quote's context, the Accept negotiation, the amounts' words.</summary>
public sealed class ClaimPageRulesTests
{
    private const string Exact = "non sono corrette";

    [Fact]
    public void AQuoteNearTheStartShowsAllTheTextBeforeItAndTheRestOfAShortSource()
    {
        const string content = "Il portavoce ha dichiarato che le informazioni non sono corrette.";
        var quote = Anchored(content, Exact);

        var shown = QuoteContexts.Of(quote, content, 0);

        Assert.Equal(new QuoteInContext("Il portavoce ha dichiarato che le informazioni ", Exact, ".", false, false, QuoteContextKind.Source), shown);
    }

    [Fact]
    public void AQuoteInALongSourceIsCutAtWholeWordsEitherSideWithEllipsesMarked()
    {
        var before = string.Concat(Enumerable.Repeat("parola ", 60));
        var after = string.Concat(Enumerable.Repeat(" altra", 60));
        var content = before + Exact + after;
        var quote = Anchored(content, Exact);
        var windowStart = QuoteContexts.WindowStart(quote.Start!.Value);
        var window = content.Substring(windowStart, quote.End!.Value + QuoteContexts.Radius - windowStart);

        var shown = QuoteContexts.Of(quote, window, windowStart);

        Assert.Equal(QuoteContextKind.Source, shown.Where);
        Assert.True(shown.MoreBefore && shown.MoreAfter);
        Assert.StartsWith("parola ", shown.Before);
        Assert.EndsWith("altra", shown.After);
        Assert.True(shown.Before.Length <= QuoteContexts.Radius && shown.After.Length <= QuoteContexts.Radius);
        Assert.Contains(shown.Before + Exact + shown.After, content);
    }

    [Fact]
    public void AWindowThatDoesNotHoldTheQuoteAtItsOffsetsFallsBackToTheStoredContext()
    {
        // An emoji before the quote is two UTF-16 code units but one character to PostgreSQL's substring.
        const string content = "😀 Il portavoce: le informazioni non sono corrette, dice.";
        var quote = Anchored(content, Exact);
        var shifted = content[1..];

        var shown = QuoteContexts.Of(quote, shifted, 0);

        Assert.Equal(QuoteContextKind.Stored, shown.Where);
        Assert.Equal(quote.Prefix, shown.Before);
        Assert.Equal(quote.Suffix, shown.After);
        Assert.Equal(Exact, shown.Exact);
    }

    [Theory]
    [InlineData(AnchorState.Orphaned)]
    [InlineData(AnchorState.Unanchored)]
    public void AQuoteNotAnchoredIsShownAloneWhateverContextItKept(AnchorState anchor)
    {
        var quote = new QuoteResponse(Exact, "le informazioni ", ", dice.", null, null, anchor);

        var shown = QuoteContexts.Of(quote, null, 0);

        Assert.Equal(new QuoteInContext("", Exact, "", false, false, QuoteContextKind.None), shown);
    }

    [Theory]
    [InlineData(null, PageFormat.Html)]
    [InlineData("*/*", PageFormat.Html)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", PageFormat.Html)]
    [InlineData("application/json, */*;q=0.1", PageFormat.Json)]
    [InlineData("application/json, text/html", PageFormat.Html)]
    [InlineData("application/ld+json", PageFormat.JsonLd)]
    [InlineData("application/*", PageFormat.Json)]
    [InlineData("text/html;q=0, */*", PageFormat.Json)]
    [InlineData("text/html;q=0, application/*;q=0, */*", PageFormat.None)]
    [InlineData("image/png", PageFormat.None)]
    public void AcceptChoosesThePageTheJsonOrNothing(string? accept, PageFormat expected)
    {
        var http = new DefaultHttpContext();
        if (accept is not null) http.Request.Headers.Accept = accept;

        Assert.Equal(expected, PageNegotiation.Choose(http.Request));
    }

    [Theory]
    [InlineData(12_000_000_000, "USD", true, "about $12B")]
    [InlineData(5_500_000_000, "USD", false, "$5.5B")]
    [InlineData(300_000_000, "USD", false, "$300M")]
    [InlineData(1_234, "users", false, "1,234 users")]
    [InlineData(-300_000_000, "USD", false, "−$300M")]
    public void AmountsReadAsANewsroomWritesThem(decimal amount, string unit, bool approximate, string expected) =>
        Assert.Equal(expected, Amounts.Format(amount, unit, approximate));

    private static QuoteResponse Anchored(string content, string exact)
    {
        var found = QuoteAnchoring.Locate(content, exact);
        var (prefix, suffix) = QuoteAnchoring.Context(content, found.Start, found.End);
        return new QuoteResponse(exact, prefix, suffix, found.Start, found.End, AnchorState.Anchored);
    }
}
