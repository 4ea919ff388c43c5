using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Matching;

/// <summary>
/// The words of a text that pin down *which* claim it is, beyond its general wording: names (`Medio Oriente` against
/// `South-East Asia`), model codes (`H20` against `H100`), months (`marzo` against `September`), time units (`five years`
/// against `five months`), multiples (`triple` against `double`) and denials (`ByteDance denies…` is not the claim it
/// denies). A text with a term the claim does not account for is not that claim, however alike the rest reads (decision
/// 012). A name is accounted for by a word of the claim's texts or of a tracked entity's name that starts alike (its first
/// four letters: `Asian` by `Asia`), so that adjectives of places pass.
/// </summary>
public sealed partial record SpecificTerms(IReadOnlySet<string> Names, IReadOnlySet<string> Codes, IReadOnlySet<int> Months, IReadOnlySet<string> Units)
{
    private static readonly Dictionary<string, int> MonthNames = new(StringComparer.Ordinal)
    {
        ["january"] = 1, ["february"] = 2, ["march"] = 3, ["april"] = 4, ["may"] = 5, ["june"] = 6, ["july"] = 7,
        ["august"] = 8, ["september"] = 9, ["october"] = 10, ["november"] = 11, ["december"] = 12,
        ["gennaio"] = 1, ["febbraio"] = 2, ["marzo"] = 3, ["aprile"] = 4, ["maggio"] = 5, ["giugno"] = 6, ["luglio"] = 7,
        ["agosto"] = 8, ["settembre"] = 9, ["ottobre"] = 10, ["novembre"] = 11, ["dicembre"] = 12,
    };

    private static readonly Dictionary<string, string> UnitNames = new(StringComparer.Ordinal)
    {
        ["day"] = "day", ["days"] = "day", ["giorno"] = "day", ["giorni"] = "day",
        ["week"] = "week", ["weeks"] = "week", ["settimana"] = "week", ["settimane"] = "week",
        ["month"] = "month", ["months"] = "month", ["mese"] = "month", ["mesi"] = "month",
        ["year"] = "year", ["years"] = "year", ["anno"] = "year", ["anni"] = "year",
        // Multiples and halves of a comparison
        ["double"] = "x2", ["doubles"] = "x2", ["doubled"] = "x2", ["doubling"] = "x2", ["twice"] = "x2",
        ["raddoppia"] = "x2", ["raddoppiare"] = "x2", ["raddoppierebbe"] = "x2", ["raddoppiato"] = "x2", ["doppio"] = "x2",
        ["triple"] = "x3", ["triples"] = "x3", ["tripled"] = "x3", ["tripling"] = "x3", ["triplica"] = "x3",
        ["triplicare"] = "x3", ["triplicherebbe"] = "x3", ["triplicato"] = "x3", ["triplo"] = "x3",
        ["half"] = "x0.5", ["halve"] = "x0.5", ["halved"] = "x0.5", ["meta"] = "x0.5", ["dimezza"] = "x0.5", ["dimezzare"] = "x0.5",
        ["dimezzato"] = "x0.5",
        // Denials: "ByteDance denies the $12B plan" is the denial, not the plan
        ["deny"] = "denial", ["denies"] = "denial", ["denied"] = "denial", ["denying"] = "denial", ["denial"] = "denial",
        ["smentisce"] = "denial", ["smentito"] = "denial", ["smentita"] = "denial", ["smentiscono"] = "denial",
        ["nega"] = "denial", ["negato"] = "denial", ["negano"] = "denial",
    };

    public static SpecificTerms Of(string text)
    {
        HashSet<string> names = [], codes = [], units = [];
        HashSet<int> months = [];
        foreach (Match token in Token().Matches(text))
        {
            var word = token.Value;
            var folded = TextFolding.Fold(word);
            if (MonthNames.TryGetValue(folded, out var month))
            {
                // "May" opens many an English sentence as a verb; only a month when not the first word.
                if (folded != "may" || !StartsSentence(text, token.Index)) months.Add(month);
            }
            else if (UnitNames.TryGetValue(folded, out var unit)) units.Add(unit);
            // A plural of a model ("H100s") is the model.
            else if (char.IsLetter(word[0]) && word.Any(char.IsDigit)) codes.Add(folded.EndsWith('s') && char.IsDigit(folded[^2]) ? folded[..^1] : folded);
            else if (char.IsUpper(word[0]) && !IsAcronym(word) && !StartsSentence(text, token.Index)) names.Add(folded);
        }
        return new SpecificTerms(names, codes, months, units);
    }

    /// <summary>
    /// The terms of this text (the one being matched) that <paramref name="claim"/> (the terms of all its texts together,
    /// whose folded words are <paramref name="claimWords"/>) does not account for; <paramref name="entityWords"/> are the
    /// folded words of tracked entities' names and aliases.
    /// </summary>
    public IReadOnlyList<string> Unexplained(SpecificTerms claim, IReadOnlySet<string> claimWords, IReadOnlySet<string> entityWords) =>
    [
        .. Names.Where(n => !claimWords.Concat(entityWords).Any(w => StartAlike(n, w))),
        .. Codes.Where(c => !claim.Codes.Contains(c)),
        .. Months.Where(m => !claim.Months.Contains(m)).Select(m => $"month {m}"),
        .. Units.Where(u => !claim.Units.Contains(u)),
    ];

    /// <summary>The folded words of a text.</summary>
    public static IReadOnlySet<string> Words(string text) =>
        Token().Matches(text).Select(m => TextFolding.Fold(m.Value)).ToHashSet(StringComparer.Ordinal);

    private static bool StartAlike(string a, string b) =>
        a == b || (a.Length >= 4 && b.Length >= 4 && string.CompareOrdinal(a, 0, b, 0, 4) == 0);

    /// <summary>
    /// A PostgreSQL regular expression finding, in folded text, a word that starts alike with one of <paramref name="words"/>
    /// (folded words of letters and digits, so nothing needs escaping): the SQL side of <see cref="StartAlike"/>. One
    /// expression, alternatives joined, so that one trigram index scan answers it (`entities.name_words`).
    /// </summary>
    public static string WordStartPattern(IEnumerable<string> words) =>
        string.Join('|', words.Order(StringComparer.Ordinal).Select(w => w.Length >= 4 ? $@"\m{w[..4]}[[:alnum:]]*\M" : $@"\m{w}\M"));

    // AI, US, UE, IA, USA: abbreviations of common nouns as often as of names.
    private static bool IsAcronym(string word) => word.Length <= 3 && word.All(char.IsUpper);

    private static bool StartsSentence(string text, int index)
    {
        var i = index - 1;
        while (i >= 0 && (char.IsWhiteSpace(text[i]) || text[i] is '"' or '“' or '«' or '(' or '\'' or '‘')) i--;
        return i < 0 || text[i] is '.' or '!' or '?' or ':' or ';';
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Token();
}
