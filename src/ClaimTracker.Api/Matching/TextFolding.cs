using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Matching;

/// <summary>Text compared without regard to case or accents, as PostgreSQL's `claimtracker_fold` (unaccent, lower) does.</summary>
public static class TextFolding
{
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) kept.Append(c);
        }
        return kept.ToString().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }

    /// <summary>True when <paramref name="folded"/> (a folded text) names one of <paramref name="names"/> as whole words.</summary>
    public static bool Names(string folded, IEnumerable<string> names) =>
        names.Select(Fold).Where(n => n.Length > 0)
            .Any(name => Regex.IsMatch(folded, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(name)}(?![\p{{L}}\p{{N}}])"));
}
