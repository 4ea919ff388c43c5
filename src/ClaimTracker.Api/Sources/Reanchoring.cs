using ClaimTracker.Api.Appearances;

namespace ClaimTracker.Api.Sources;

/// <summary>A quote's selectors after re-anchoring; offsets are null unless <see cref="Anchor"/> is `anchored`.</summary>
public readonly record struct ReanchoredQuote(AnchorState Anchor, int? Start, int? End, string? Prefix, string? Suffix)
{
    /// <summary>True when the stored quote already says exactly this.</summary>
    public bool SameAs(Quote quote) =>
        quote.Anchor == Anchor && quote.Start == Start && quote.End == End && quote.Prefix == Prefix && quote.Suffix == Suffix;

    /// <summary>Writes these selectors into <paramref name="quote"/>; `exact` is never changed.</summary>
    public void ApplyTo(Quote quote) =>
        (quote.Anchor, quote.Start, quote.End, quote.Prefix, quote.Suffix) = (Anchor, Start, End, Prefix, Suffix);
}

/// <summary>Where a quote lands when its source's content is revised.</summary>
public static class Reanchoring
{
    /// <summary>
    /// Looks for the quote with its old context first, then for its exact text alone (the context may have been
    /// edited). Found exactly once, it is anchored there with fresh context; otherwise (gone, or repeated with nothing
    /// to tell the repeats apart) it is orphaned, keeping its text and old context so that an editor can fix it.
    /// </summary>
    public static ReanchoredQuote Reanchor(string content, string exact, string? prefix, string? suffix)
    {
        var found = QuoteAnchoring.Locate(content, exact, prefix, suffix);
        if (!found.IsFound) found = QuoteAnchoring.Locate(content, exact);
        if (!found.IsFound) return new ReanchoredQuote(AnchorState.Orphaned, null, null, prefix, suffix);

        var (newPrefix, newSuffix) = QuoteAnchoring.Context(content, found.Start, found.End);
        return new ReanchoredQuote(AnchorState.Anchored, found.Start, found.End, newPrefix, newSuffix);
    }
}
