using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>
/// A quote as a reader sees it in its source: the text before it, the quote (`exact`), the text after it, and whether
/// the source goes on beyond what is shown. <see cref="Where"/> says what the context is.
/// </summary>
public sealed record QuoteInContext(string Before, string Exact, string After, bool MoreBefore, bool MoreAfter, QuoteContextKind Where);

/// <summary>Where a quote's surrounding text comes from.</summary>
public enum QuoteContextKind
{
    /// <summary>The source's current text around the quote's offsets.</summary>
    Source,
    /// <summary>The 32 characters either side stored when the quote was anchored (the source's text did not match).</summary>
    Stored,
    /// <summary>No surrounding text: the source's text is not stored, or the quote is orphaned.</summary>
    None,
}

public static class QuoteContexts
{
    /// <summary>How many UTF-16 code units of the source are read on each side of a quote.</summary>
    public const int Radius = 160;

    /// <summary>
    /// <paramref name="quote"/> in its context. <paramref name="window"/> is the source's text from
    /// <paramref name="windowStart"/> (<see cref="Radius"/> before the quote, or 0) to <see cref="Radius"/> past its end,
    /// or less where the text ends; null when the source has no text. The window is used only when it holds `exact` at
    /// the quote's offsets (offsets count UTF-16 code units, the database's substring counts code points: text with
    /// characters outside the BMP before the quote shifts them); else the stored prefix and suffix are shown.
    /// </summary>
    public static QuoteInContext Of(QuoteResponse quote, string? window, int windowStart)
    {
        if (quote.Anchor != AnchorState.Anchored) return new("", quote.Exact, "", false, false, QuoteContextKind.None);
        if (window is not null && quote is { Start: { } start, End: { } end }
            && start >= windowStart && end - windowStart <= window.Length
            && string.CompareOrdinal(window, start - windowStart, quote.Exact, 0, quote.Exact.Length) == 0 && end - start == quote.Exact.Length)
        {
            var before = window[..(start - windowStart)];
            var after = window[(end - windowStart)..];
            var moreBefore = windowStart > 0;
            var moreAfter = after.Length >= Radius;
            // Cut at a space, so that no word is shown half where the window cut into it.
            if (moreBefore && before.IndexOfAny([' ', '\n']) is var first and >= 0) before = before[(first + 1)..];
            if (moreAfter && after.LastIndexOfAny([' ', '\n']) is var last and >= 0) after = after[..last];
            return new(before, quote.Exact, after, moreBefore, moreAfter, QuoteContextKind.Source);
        }
        if (quote.Prefix is null && quote.Suffix is null) return new("", quote.Exact, "", false, false, QuoteContextKind.None);
        return new(quote.Prefix ?? "", quote.Exact, quote.Suffix ?? "",
            quote.Prefix?.Length >= QuoteAnchoring.ContextLength, quote.Suffix?.Length >= QuoteAnchoring.ContextLength, QuoteContextKind.Stored);
    }

    /// <summary>Where the window read for a quote starting at <paramref name="start"/> begins.</summary>
    public static int WindowStart(int start) => Math.Max(0, start - Radius);
}
