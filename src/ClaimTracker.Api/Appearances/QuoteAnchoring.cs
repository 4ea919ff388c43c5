namespace ClaimTracker.Api.Appearances;

/// <summary>
/// Finds a quote in a source's text from its `exact` text, using `prefix`/`suffix` (up to 32 characters
/// each) to choose among repeats. Offsets count UTF-16 code units, as .NET and JavaScript strings do.
/// </summary>
public static class QuoteAnchoring
{
    public const int ContextLength = 32;

    /// <summary>Locates <paramref name="exact"/> in <paramref name="content"/>.</summary>
    public static AnchorResult Locate(string? content, string exact, string? prefix = null, string? suffix = null)
    {
        if (string.IsNullOrEmpty(content) || exact.Length == 0) return AnchorResult.NotFound;

        var matches = new List<int>();
        for (var at = content.IndexOf(exact, StringComparison.Ordinal); at >= 0;
             at = at + 1 < content.Length ? content.IndexOf(exact, at + 1, StringComparison.Ordinal) : -1)
        {
            if (Fits(content, at, exact.Length, prefix, suffix)) matches.Add(at);
        }

        return matches.Count switch
        {
            0 => AnchorResult.NotFound,
            1 => AnchorResult.Found(matches[0], matches[0] + exact.Length),
            _ => AnchorResult.Ambiguous(matches.Count),
        };
    }

    /// <summary>The prefix and suffix (up to 32 characters) around a located quote, for storing with it.</summary>
    public static (string Prefix, string Suffix) Context(string content, int start, int end)
    {
        var prefixStart = Math.Max(0, start - ContextLength);
        var suffixEnd = Math.Min(content.Length, end + ContextLength);
        return (content[prefixStart..start], content[end..suffixEnd]);
    }

    private static bool Fits(string content, int start, int length, string? prefix, string? suffix)
    {
        if (!string.IsNullOrEmpty(prefix)
            && (start < prefix.Length || string.CompareOrdinal(content, start - prefix.Length, prefix, 0, prefix.Length) != 0))
        {
            return false;
        }
        var end = start + length;
        return string.IsNullOrEmpty(suffix)
               || (end + suffix.Length <= content.Length && string.CompareOrdinal(content, end, suffix, 0, suffix.Length) == 0);
    }
}

/// <summary>Where a quote was found: exactly once (with offsets), not at all, or more than once.</summary>
public readonly record struct AnchorResult(int Matches, int Start, int End)
{
    public static readonly AnchorResult NotFound = new(0, 0, 0);
    public static AnchorResult Found(int start, int end) => new(1, start, end);
    public static AnchorResult Ambiguous(int matches) => new(matches, 0, 0);
    public bool IsFound => Matches == 1;
}
