using System.Globalization;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Matching;

/// <summary>
/// An amount a text states, normalised to units: "12 miliardi di dollari", "$12bn" and "12 billion dollars" are all
/// 12 000 000 000 USD. <paramref name="Currency"/> is an ISO 4217 code when the text names one ($, US$, dollars, dollari
/// → USD; €, euro → EUR; yuan, renminbi, RMB → CNY; £, sterline → GBP; yen → JPY), else null. <paramref name="Approximate"/>
/// is true when a word hedges it: "about", "around", "roughly", "nearly", "almost", "some", "circa", "quasi", "intorno
/// ai", "~", "or so", and also the bounds "over", "more than", "at least", "up to", "oltre", "più di", "almeno", "fino a"
/// (a bound is not modelled as a range; it is read as an approximate figure).
/// </summary>
public sealed record StatedAmount(decimal Value, string? Currency = null, bool Approximate = false);

/// <summary>A percentage a text states, in percent ("12%", "12 per cent", "5,5 per cento" → 12, 12, 5.5).</summary>
public sealed record StatedPercentage(decimal Value, bool Approximate = false);

/// <summary>
/// The amounts, percentages and years a text states, in English or Italian (docs/decisions/010-stated-figures.md).
/// Amounts and percentages are listed in the order the text gives them, repeats included; years once each, in order of
/// first mention. Two of these are compared with <see cref="FigureComparison"/>, not with <c>==</c> (the lists are
/// compared by reference).
/// </summary>
public sealed partial record StatedFigures(
    IReadOnlyList<StatedAmount> Amounts, IReadOnlyList<StatedPercentage> Percentages, IReadOnlyList<int> Years)
{
    /// <summary>A text with no figure in it.</summary>
    public static readonly StatedFigures None = new([], [], []);

    /// <summary>Whether the text states no amount, percentage or year.</summary>
    public bool IsEmpty => Amounts.Count == 0 && Percentages.Count == 0 && Years.Count == 0;

    /// <summary>
    /// Reads the figures of <paramref name="text"/>. <paramref name="language"/> ("it", "en", or a BCP 47 tag such as
    /// "it-IT") decides only what a lone separator before three digits means ("1.000" is a thousand in Italian, "1,000"
    /// in English); a scale or currency word next to the number ("miliardi", "billion") decides it first, and with
    /// neither such a group is read as thousands.
    /// </summary>
    /// <remarks>
    /// What is not an amount: a day of the month next to a month name ("19 gennaio", "January 19"; the year in
    /// "19 January 2025" is a year), a number glued to letters that are not a scale ("H100", "A800", "5G", "COVID-19",
    /// "3rd"), an ordinal ("1°"). A bare four-digit 1900–2099 with no currency, scale or percent sign is a year
    /// ("nel 2025", "in 2025", "fiscal 2025", "FY2025"). Numbers in words are read only before a scale ("twelve billion",
    /// "dodici miliardi", "half a billion"); "cinque mesi" and "double" are not figures. A range ("$5-6 billion",
    /// "da 5 a 6 miliardi", "between 5 and 6 billion") states both ends, each with the scale and currency written once for both.
    /// </remarks>
    public static StatedFigures Extract(string text, string? language)
    {
        ArgumentNullException.ThrowIfNull(text);
        var convention = ConventionOf(language);
        var amounts = new List<StatedAmount>();
        var percentages = new List<StatedPercentage>();
        var years = new List<int>();

        foreach (Match fiscal in FiscalYear().Matches(text))
        {
            var digits = fiscal.Groups["year"].Value;
            AddYear(years, digits.Length == 2 ? 2000 + int.Parse(digits, CultureInfo.InvariantCulture) : int.Parse(digits, CultureInfo.InvariantCulture));
        }

        // Dates in digits ("2025-01-19", "19/01/2025", "19.01.2025") state their year and nothing else.
        var dates = NumericDate().Matches(text);
        foreach (Match date in dates) AddYear(years, int.Parse(date.Groups["year"].Value, CultureInfo.InvariantCulture));

        foreach (Match number in Number().Matches(text))
        {
            if (dates.Any(d => number.Index < d.Index + d.Length && d.Index < number.Index + number.Length)) continue;
            var before = text[Math.Max(0, number.Index - Lookaround)..number.Index];
            var after = text[(number.Index + number.Length)..Math.Min(text.Length, number.Index + number.Length + Lookaround)];
            if (Read(number.Value, before, after, convention) is not { } figure) continue;
            switch (figure)
            {
                case Figure.Year year: AddYear(years, year.Value); break;
                case Figure.Percent percent: percentages.Add(percent.Value); break;
                case Figure.Amount amount: amounts.Add(amount.Value); break;
            }
        }
        return new StatedFigures(amounts, percentages, years);
    }

    private const int Lookaround = 48;

    private enum Convention { Unknown, English, Italian }

    private abstract record Figure
    {
        public sealed record Year(int Value) : Figure;
        public sealed record Percent(StatedPercentage Value) : Figure;
        public sealed record Amount(StatedAmount Value) : Figure;
    }

    private static Figure? Read(string digits, string before, string after, Convention convention)
    {
        var prefix = Prefix().Match(before);
        var currency = CurrencyOf(prefix.Groups["currency"].Value);
        var approximate = prefix.Groups["approx"].Success;
        var hasCurrencySymbol = prefix.Groups["currency"].Success;

        // A range ("$5-6 billion", "5–6 miliardi", "19-20 gennaio") reads its first number with what follows the second.
        // Only a rising pair is a range: "nel 2025 a 12 miliardi" is a year and an amount.
        var range = RangeTail().Match(after);
        var isRange = range.Success
            && (!range.Groups["and"].Success || Between().IsMatch(before))
            && ParseNumber(digits, convention) < ParseNumber(range.Groups["to"].Value, convention);
        var rest = isRange ? after[range.Length..] : after;
        if (ScaleAfter(rest, hasCurrencySymbol) is not { } read) return null;
        var (scale, scaleWord, afterScale) = read;
        rest = afterScale;

        if (TimeBefore().IsMatch(before) && ItalianTime().IsMatch(digits)) return null;

        var isInteger = !digits.Contains('.') && !digits.Contains(',') && !digits.Contains('\u00A0') && !digits.Contains('\u202F');
        if (scaleWord is null && !hasCurrencySymbol && isInteger
            && int.TryParse(digits, CultureInfo.InvariantCulture, out var day) && day is >= 1 and <= 31
            && (MonthAfter().IsMatch(rest) || MonthBefore().IsMatch(before))) return null;

        var suffix = Suffix().Match(rest);
        if (suffix.Groups["currency"].Success) currency ??= CurrencyOf(suffix.Groups["currency"].Value);
        approximate |= suffix.Groups["approx"].Success;
        var numberConvention = ConventionOfWord(scaleWord) ?? ConventionOfWord(suffix.Groups["currency"].Value) ?? convention;
        if (ParseNumber(digits, numberConvention) is not { } value) return null;

        if (suffix.Groups["percent"].Success && scaleWord is null && currency is null)
            return new Figure.Percent(new StatedPercentage(value, approximate));
        if (scaleWord is null && currency is null && isInteger && digits.Length == 4 && value is >= 1900 and <= 2099)
            return new Figure.Year((int)value);
        return new Figure.Amount(new StatedAmount(value * scale, currency, approximate));
    }

    // What follows a number: its scale ("5.5bn", "12mld", "$12B", "12 miliardi") and the text after it; null when the
    // letters glued to it make it a name ("H100", "5G"), an ordinal ("3rd", "1°") or a time ("10:30").
    private static (decimal Scale, string? Word, string After)? ScaleAfter(string after, bool afterCurrencySign)
    {
        var glued = LeadingLetters().Match(after);
        if (glued.Success)
            return ScaleOf(glued.Value, afterCurrencySign) is { } gluedScale ? (gluedScale, glued.Value, after[glued.Length..]) : null;
        // An ordinal ("1°") or the hour of a time ("10:30").
        if (after.StartsWith('°') || after.StartsWith('º') || (after.Length > 1 && after[0] == ':' && char.IsAsciiDigit(after[1]))) return null;
        if (SpacedScale().Match(after) is { Success: true } spaced && ScaleOf(spaced.Groups["scale"].Value, afterCurrencySign) is { } spacedScale)
            return (spacedScale, spaced.Groups["scale"].Value, after[spaced.Length..]);
        return (1, null, after);
    }

    private static void AddYear(List<int> years, int year)
    {
        if (!years.Contains(year)) years.Add(year);
    }

    private static Convention ConventionOf(string? language) =>
        language?.Split('-', '_')[0].ToLowerInvariant() switch
        {
            "it" => Convention.Italian,
            "en" => Convention.English,
            _ => Convention.Unknown,
        };

    private static Convention? ConventionOfWord(string? word) =>
        word?.ToLowerInvariant() switch
        {
            "mila" or "milione" or "milioni" or "miliardo" or "miliardi" or "bilione" or "bilioni" or "trilione" or "trilioni"
                or "mln" or "mld" or "mrd" or "dollari" or "dollaro" or "sterline" => Convention.Italian,
            "thousand" or "thousands" or "million" or "millions" or "billion" or "billions" or "trillion" or "trillions"
                or "bn" or "mn" or "tn" or "dollar" or "dollars" or "euros" => Convention.English,
            _ => null,
        };

    // Single letters ("$12B", "$5m", "$10k") are a scale only after a currency sign; alone they are a name ("12B", "5G").
    private static decimal? ScaleOf(string word, bool afterCurrencySign) =>
        word switch
        {
            "k" or "K" when afterCurrencySign => 1e3m,
            "m" or "M" when afterCurrencySign => 1e6m,
            "b" or "B" when afterCurrencySign => 1e9m,
            "t" or "T" when afterCurrencySign => 1e12m,
            _ => word.ToLowerInvariant() switch
            {
                "thousand" or "thousands" or "mila" => 1e3m,
                "million" or "millions" or "mn" or "mln" or "milione" or "milioni" => 1e6m,
                "billion" or "billions" or "bn" or "bln" or "miliardo" or "miliardi" or "mld" or "mrd" => 1e9m,
                // Italian "bilione" is 10^12 (long scale). "Trilione" is strictly 10^18, but news text uses it as a calque
                // of the English "trillion": no newsroom figure is 10^18 of anything.
                "trillion" or "trillions" or "tn" or "bilione" or "bilioni" or "trilione" or "trilioni" => 1e12m,
                _ => null,
            },
        };

    private static string? CurrencyOf(string word) =>
        word.Trim().ToLowerInvariant() switch
        {
            "$" or "us$" or "usd" or "dollar" or "dollars" or "dollaro" or "dollari" => "USD",
            "€" or "eur" or "euro" or "euros" => "EUR",
            "cny" or "rmb" or "yuan" or "renminbi" => "CNY",
            "£" or "gbp" or "sterline" => "GBP",
            "jpy" or "yen" => "JPY",
            _ => null,
        };

    /// <summary>
    /// The value of a digit group. Both separators: the later one is the decimal mark ("1.234,5", "1,234.5"). One kind,
    /// repeated: thousands ("1.000.000"). One, before other than three digits: decimal ("5,5", "12.5"). One before
    /// exactly three digits is what the convention says, and thousands when none is known.
    /// </summary>
    private static decimal? ParseNumber(string digits, Convention convention)
    {
        if (char.IsLetter(digits[0])) return NumberWordOf(digits);
        digits = digits.Replace("\u00A0", "", StringComparison.Ordinal).Replace("\u202F", "", StringComparison.Ordinal);
        var (dot, comma) = (digits.LastIndexOf('.'), digits.LastIndexOf(','));
        char? decimalMark = (dot, comma) switch
        {
            (-1, -1) => null,
            ( >= 0, >= 0) => dot > comma ? '.' : ',',
            _ => ReadLoneSeparator(digits, dot >= 0 ? '.' : ',', convention),
        };
        var invariant = string.Concat(digits.Where(c => char.IsAsciiDigit(c) || c == decimalMark));
        if (decimalMark is { } mark) invariant = invariant.Replace(mark, '.');
        return decimal.TryParse(invariant, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    // Only before a scale of their language ("twelve billion", "dodici miliardi", "half a billion", "mille miliardi"): alone,
    // "cinque mesi" is no figure, and "a miliardi di utenti" is a preposition.
    private static decimal? NumberWordOf(string word) =>
        NumberWordSpace().Replace(word.ToLowerInvariant(), " ") switch
        {
            "half a" or "mezzo" => 0.5m,
            "a" or "an" or "one" or "un" => 1,
            "two" or "due" => 2,
            "three" or "tre" => 3,
            "four" or "quattro" => 4,
            "five" or "cinque" => 5,
            "six" or "sei" => 6,
            "seven" or "sette" => 7,
            "eight" or "otto" => 8,
            "nine" or "nove" => 9,
            "ten" or "dieci" => 10,
            "eleven" or "undici" => 11,
            "twelve" or "dodici" => 12,
            "twenty" or "venti" => 20,
            "fifty" or "cinquanta" => 50,
            "a hundred" or "one hundred" or "cento" => 100,
            "mille" => 1000,
            _ => null,
        };

    private static char? ReadLoneSeparator(string digits, char separator, Convention convention)
    {
        if (digits.Count(c => c == separator) > 1) return null;
        if (digits.Length - digits.LastIndexOf(separator) - 1 != 3) return separator;
        return (convention, separator) switch
        {
            (Convention.Italian, ',') or (Convention.English, '.') => separator,
            _ => null,
        };
    }

    // A digit group not glued to a letter or another number ("H100", "A800", "COVID-19" are names): "12", "5,5",
    // "1.000.000", "1,234.5", "1 000" with a no-break space.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_]|[\p{L}\p{N}][.,:/]|\p{L}-)(?:\d{1,3}(?:[.,\u00A0\u202F]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?" +
        @"|(?i:\b(?:half\s+a|(?:a|one)\s+hundred|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty)" +
        @"(?=\s+(?:thousand|million|billion|trillion)\b))" +
        @"|(?i:\b(?:mezzo|un|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|undici|dodici|venti|cinquanta|cento|mille)" +
        @"(?=\s+(?:milion[ei]|miliard[oi]|bilion[ei]|trilion[ei])\b)))")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex NumberWordSpace();

    // The second half of a range after its first number: "-6", "–6", " to 6", " a 6" ("da 5 a 6 miliardi"), and after
    // "between"/"tra"/"fra" (Between) " and 6", " e 6": elsewhere "and" joins a list.
    [GeneratedRegex(@"^(?:\s?[-–]\s?|\s+(?:to|a|(?<and>and|e))\s+)(?<to>\d+(?:[.,]\d+)?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RangeTail();

    [GeneratedRegex(@"\b(?:between|tra|fra)\s+(?:US\$|\$|€|£)?\s?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Between();

    [GeneratedRegex(@"\b(?:(?<year>(?:19|20)\d{2})-\d{1,2}-\d{1,2}|\d{1,2}([/.])\d{1,2}\1(?<year>(?:19|20)\d{2}))\b")]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"\bFY\s?(?<year>(?:19|20)\d{2}|\d{2})\b")]
    private static partial Regex FiscalYear();

    [GeneratedRegex(@"^\p{L}+")]
    private static partial Regex LeadingLetters();

    // What may stand right before a number: a hedge or a bound ("circa il", "oltre l’"), then a currency sign or code, then
    // the first half of a range whose second half this number is ("$5-").
    [GeneratedRegex(
        @"(?<approx>\b(?:about|around|approximately|roughly|nearly|almost|some|over|more\s+than|at\s+least|up\s+to|circa|quasi|oltre|più\s+di|almeno|fino\s+a|intorno\s+a(?:i|gli|l)?|attorno\s+a(?:i|gli|l)?)\s+(?:(?:il|i|gli|la|le|lo)\s+|l['’])?|[~≈]\s*)?" +
        @"(?:(?<currency>US\$|\$|€|£|\b(?:USD|EUR|CNY|RMB|GBP|JPY))\s?)?(?:\d+(?:[.,]\d+)?(?:\s?[-–]\s?|\s+(?:to|a)\s+))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Prefix();

    [GeneratedRegex(
        @"^\s+(?<scale>thousands?|millions?|billions?|trillions?|mila|milion[ei]|miliard[oi]|bilion[ei]|trilion[ei]|mln|mld|mrd|bln|bn|mn|tn)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpacedScale();

    // What may follow a number and its scale: a percent sign or word, a currency ("di dollari", "US dollars", "€"), a hedge.
    [GeneratedRegex(
        @"^(?:(?<percent>\s?%|\s+(?:per\s?cent|percent|per\s+cento|percento)\b)" +
        @"|\s*(?:(?:di|of)\s+)?(?:U\.?S\.?\s+)?(?<currency>dollari|dollaro|dollars?|euros?|yuan|renminbi|rmb|usd|eur|cny|yen|jpy|gbp|sterline)\b|\s?(?<currency>€|\$))?" +
        @"(?:\s+(?:USA|statunitensi|americani)\b)?(?<approx>,?\s+(?:circa|or\s+so)\b)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();

    [GeneratedRegex(
        @"^\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MonthAfter();

    // An Italian time written with a dot: "alle 10.30", "dalle ore 9.00".
    [GeneratedRegex(@"\b(?:alle|dalle|ore)\s+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TimeBefore();

    [GeneratedRegex(@"^\d{1,2}\.\d{2}$")]
    private static partial Regex ItalianTime();

    [GeneratedRegex(
        @"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MonthBefore();
}
