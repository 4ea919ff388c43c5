using System.Globalization;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// The languages of a claim's statement. `statement` is the canonical English; `statements` maps BCP 47 tags to the
/// statement in each language (`en` always, from `statement`). A read gives `statement` in the reader's language, chosen
/// from `?lang=` or else `Accept-Language` (RFC 4647 lookup: `it-IT` falls back to `it`), else English, and says which in
/// `Content-Language`; see docs/decisions/011-statement-languages.md.
/// </summary>
public static partial class ClaimLanguages
{
    public const string Canonical = "en";
    public const int MaxTranslations = 20;

    /// <summary>
    /// The tag in its canonical case (`pt-BR`) when it is well-formed BCP 47 (language, optional script and region) and
    /// names a language this machine's ICU knows; otherwise null.
    /// </summary>
    public static string? Normalize(string? tag)
    {
        if (string.IsNullOrEmpty(tag) || tag.Length > 35 || !TagSyntax().IsMatch(tag)) return null;
        try
        {
            var culture = CultureInfo.GetCultureInfo(tag, predefinedOnly: true);
            return culture.Name.Length == 0 ? null : culture.Name;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Validates a request's `statements` against its `statement`: known tags, each once, non-empty text within the
    /// statement's limit, and `en` (if sent) equal to `statement`. Returns the translations (every language but `en`).
    /// </summary>
    public static Dictionary<string, string> Translations(IReadOnlyDictionary<string, string?>? statements, string? statement, ValidationErrors errors)
    {
        var translations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (statements is null) return translations;
        if (statements.Count > MaxTranslations + 1)
        {
            errors.Add("statements", $"statements holds at most {MaxTranslations + 1} languages.");
            return translations;
        }
        foreach (var (tag, text) in statements)
        {
            var field = $"statements.{tag}";
            if (Normalize(tag) is not { } language)
            {
                errors.Add(field, $"'{tag}' is not a known BCP 47 language tag, e.g. it, en, pt-BR.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(text) || text.Length > Limits.Statement)
            {
                errors.Text(field, text, Limits.Statement);
                continue;
            }
            if (language == Canonical)
            {
                if (text!.Trim() != statement?.Trim()) errors.Add(field, "statements.en is the canonical statement: it must equal statement.");
            }
            else if (!translations.TryAdd(language, text!.Trim()))
            {
                errors.Add(field, $"{language} is given twice (tags are compared without regard to case).");
            }
        }
        return translations;
    }

    /// <summary>What the reader asked for: `?lang=` (validated: a bad tag is a 400 naming `lang`), else `Accept-Language`.</summary>
    public static IReadOnlyList<string> Preference(HttpRequest request, string? lang, ValidationErrors errors)
    {
        if (lang is not null)
        {
            if (Normalize(lang) is { } language) return [language];
            errors.Add("lang", $"'{lang}' is not a known BCP 47 language tag, e.g. it, en, pt-BR.");
            return [];
        }
        // Malformed entries are skipped, as HTTP asks of a header one cannot act on; q=0 means "not this one".
        return [.. request.GetTypedHeaders().AcceptLanguage
            .Where(range => range.Quality is not 0)
            .OrderByDescending(range => range.Quality ?? 1)
            .Select(range => range.Value.Value ?? "")
            .Where(range => range.Length > 0)];
    }

    /// <summary>The language of <paramref name="translations"/> (or English) that best serves <paramref name="preference"/>.</summary>
    public static string Choose(IReadOnlyDictionary<string, string> translations, IReadOnlyList<string> preference)
    {
        foreach (var range in preference)
        {
            if (range == "*") return Canonical;
            // RFC 4647 §3.4 lookup: the range, then shorter and shorter prefixes of it.
            for (var candidate = range; candidate.Length > 0; candidate = candidate[..Math.Max(candidate.LastIndexOf('-'), 0)])
            {
                if (candidate.Equals(Canonical, StringComparison.OrdinalIgnoreCase)) return Canonical;
                if (translations.Keys.FirstOrDefault(k => k.Equals(candidate, StringComparison.OrdinalIgnoreCase)) is { } found) return found;
            }
        }
        return Canonical;
    }

    /// <summary>Every language's statement, English first.</summary>
    public static IReadOnlyDictionary<string, string> All(string statement, IReadOnlyDictionary<string, string> translations)
    {
        var all = new Dictionary<string, string>(translations.Count + 1) { [Canonical] = statement };
        foreach (var (tag, text) in translations.OrderBy(t => t.Key, StringComparer.Ordinal)) all[tag] = text;
        return all;
    }

    /// <summary>A list item in the reader's language: the projection carries the translations in `statements`.</summary>
    public static ClaimResponse Present(ClaimResponse claim, IReadOnlyList<string> preference, out string language)
    {
        (var statement, var all, language) = Localise(claim.Statement, claim.Statements, preference);
        return claim with { Statement = statement, Statements = all };
    }

    /// <inheritdoc cref="Present(ClaimResponse, IReadOnlyList{string}, out string)"/>
    public static ClaimDetailResponse Present(ClaimDetailResponse claim, IReadOnlyList<string> preference, out string language)
    {
        (var statement, var all, language) = Localise(claim.Statement, claim.Statements, preference);
        return claim with { Statement = statement, Statements = all };
    }

    /// <summary>The statement in the language chosen for <paramref name="preference"/>, every language's, and which it is.</summary>
    private static (string Statement, IReadOnlyDictionary<string, string> All, string Language) Localise(
        string english, IReadOnlyDictionary<string, string> translations, IReadOnlyList<string> preference)
    {
        var language = Choose(translations, preference);
        var all = All(english, translations);
        return (all[language], all, language);
    }

    /// <summary>
    /// A claim's detail as the response to this request: in the reader's language, with its ETag (one per
    /// representation, <see cref="ETags.For(uint, string)"/>), `Content-Language` and `Vary: Accept-Language`.
    /// </summary>
    public static ClaimDetailResponse Respond(HttpContext http, Versioned<ClaimDetailResponse> row, IReadOnlyList<string> preference)
    {
        var claim = Present(row.Value, preference, out var language);
        SetHeaders(http, [language]);
        http.Response.Headers.ETag = ETags.For(row.Version, language);
        return claim;
    }

    /// <summary>A page of list items in the reader's language, with `Content-Language` (every language used) and `Vary`.</summary>
    public static Page<ClaimResponse> RespondPage(HttpContext http, Page<ClaimResponse> page, IReadOnlyList<string> preference)
    {
        var languages = new List<string>();
        var items = page.Items.Select(item =>
        {
            var presented = Present(item, preference, out var language);
            languages.Add(language);
            return presented;
        }).ToList();
        SetHeaders(http, languages);
        return page with { Items = items };
    }

    /// <summary>`Content-Language` (the languages the statements are in) and `Vary: Accept-Language`.</summary>
    public static void SetHeaders(HttpContext http, IEnumerable<string> languages)
    {
        var used = languages.Distinct().ToList();
        http.Response.Headers.ContentLanguage = used.Count == 0 ? Canonical : string.Join(", ", used);
        http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
    }

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$")]
    private static partial Regex TagSyntax();
}
