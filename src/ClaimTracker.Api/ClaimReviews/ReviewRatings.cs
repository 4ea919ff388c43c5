using System.Globalization;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Matching;

namespace ClaimTracker.Api.ClaimReviews;

/// <summary>A review's `reviewRating` as read: the numbers when it has them, and its words.</summary>
public sealed record ImportedRating(decimal? Value, decimal? Best, decimal? Worst, string? AlternateName)
{
    /// <summary>One line for the source's text, e.g. `Rating: False (1 on a scale of 1 to 5)`; the revisions keep each one.</summary>
    public string Describe()
    {
        var words = AlternateName ?? "(no name)";
        return Value is { } value
            ? $"Rating: {words} ({Number(value)} on a scale of {Number(Worst ?? ReviewRatings.DefaultWorst)} to {Number(Best ?? ReviewRatings.DefaultBest)})"
            : $"Rating: {words}";
    }

    private static string Number(decimal number) => number.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>
/// From a ClaimReview's rating to the stance of the fact-check's appearance (docs/decisions/019-claimreview-import.md):
/// the numbers first, normalised to 0–1; the rating's words where the numbers are missing or out of their range.
/// </summary>
public static partial class ReviewRatings
{
    /// <summary>schema.org's defaults when a rating leaves out its scale.</summary>
    public const decimal DefaultBest = 5, DefaultWorst = 1;

    /// <summary>At or below: the fact-checker finds the claim false (`disputes`); at or above, true (`supports`).</summary>
    public const decimal DisputesAtOrBelow = 0.25m, SupportsAtOrAbove = 0.75m;

    /// <summary>
    /// The rating words known without numbers, folded (lowercase, no accents, straight apostrophes): PolitiFact's and
    /// similar English scales, Pagella Politica's Italian one, and the names ClaimTracker's own reviews carry.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Stance> Words = new Dictionary<string, Stance>(StringComparer.Ordinal)
    {
        ["true"] = Stance.Supports,
        ["mostly true"] = Stance.Supports,
        ["half true"] = Stance.Reports,
        ["misleading"] = Stance.Disputes,
        ["mostly false"] = Stance.Disputes,
        ["false"] = Stance.Disputes,
        ["pants on fire"] = Stance.Disputes,
        ["vero"] = Stance.Supports,
        ["c'eri quasi"] = Stance.Supports,
        ["ni"] = Stance.Reports,
        ["pinocchio andante"] = Stance.Disputes,
        ["panzana pazzesca"] = Stance.Disputes,
        ["falso"] = Stance.Disputes,
        // ClaimTracker's own ratings (ClaimStatusRules.RatingOf), should a feed of ours lose its numbers.
        ["disputed"] = Stance.Reports,
        ["unproven"] = Stance.Reports,
        ["retracted"] = Stance.Disputes,
    };

    /// <summary>The stance a rating gives, or null when neither its numbers nor its words say.</summary>
    public static Stance? StanceOf(ImportedRating rating)
    {
        if (Normalised(rating) is { } score)
        {
            return score <= DisputesAtOrBelow ? Stance.Disputes : score >= SupportsAtOrAbove ? Stance.Supports : Stance.Reports;
        }
        return rating.AlternateName is { } name && Words.TryGetValue(Fold(name), out var stance) ? stance : null;
    }

    /// <summary>(value − worst) / (best − worst); null without a value, or with one outside a proper scale (e.g. -1 for "not rated").</summary>
    public static decimal? Normalised(ImportedRating rating)
    {
        if (rating.Value is not { } value) return null;
        var (best, worst) = (rating.Best ?? DefaultBest, rating.Worst ?? DefaultWorst);
        if (best <= worst || value < worst || value > best) return null;
        return (value - worst) / (best - worst);
    }

    /// <summary>`C’eri quasi!` → `c'eri quasi`, `Nì` → `ni`, `  Pants on Fire ` → `pants on fire`.</summary>
    public static string Fold(string words) =>
        Spaces().Replace(TextFolding.Fold(words).Replace('’', '\'').Replace('‘', '\'').Replace('`', '\''), " ").Trim().TrimEnd('.', '!');

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
