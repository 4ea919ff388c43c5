namespace ClaimTracker.Api.Matching;

/// <summary>How the figures of a text stand to a candidate claim's: the matcher never calls a `Contradicts` a duplicate.</summary>
public enum FigureAgreement { Unrelated, Agrees, Contradicts }

/// <summary>
/// Compares the figures two texts state (docs/decisions/010-stated-figures.md), kind by kind: amounts with amounts,
/// percentages with percentages, years with years; an amount is never compared with a percentage or a year.
/// <para>
/// Two amounts are the same when their values are equal, or within ±5% of the larger when either is approximate
/// ("about $12B" is "12,3 miliardi", "$12B" is not "$12.3B"), and their currencies do not differ (a currency stated on
/// one side only does not count against them: "5,5 miliardi" can be "$5.5 billion"). Percentages are compared the same
/// way; years are the same only when equal.
/// </para>
/// <para>
/// For each kind both sides state: it agrees when every figure of one side has its same on the other — the side that
/// says less is contained in the side that says more, so "$5.5B in China and $6.8B abroad" agrees with "$5.5 billion for
/// purchases in China" — and contradicts otherwise ("5,5 miliardi all'estero" and "$6.8B abroad"; "$12B in 2024" and
/// "$12B in 2025"; "$5.5B and $6.8B" and "$12B"). A kind stated on one side only decides nothing.
/// </para>
/// The result is `Contradicts` when any kind contradicts, else `Agrees` when any kind agrees, else `Unrelated` (no kind is
/// stated on both sides).
/// </summary>
public static class FigureComparison
{
    /// <summary>How far apart two figures may be when either is approximate, relative to the larger.</summary>
    public const decimal ApproximateTolerance = 0.05m;

    /// <summary>Compares the figures of <paramref name="text"/> with those of <paramref name="candidate"/>.</summary>
    public static FigureAgreement Compare(StatedFigures text, StatedFigures candidate)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(candidate);
        FigureAgreement[] kinds =
        [
            CompareKind(text.Amounts, candidate.Amounts, SameAmount),
            CompareKind(text.Percentages, candidate.Percentages, SamePercentage),
            CompareKind(text.Years, candidate.Years, (a, b) => a == b),
        ];
        if (kinds.Contains(FigureAgreement.Contradicts)) return FigureAgreement.Contradicts;
        return kinds.Contains(FigureAgreement.Agrees) ? FigureAgreement.Agrees : FigureAgreement.Unrelated;
    }

    /// <summary>Extracts the figures of both texts (<see cref="StatedFigures.Extract"/>) and compares them.</summary>
    public static FigureAgreement Compare(string text, string? textLanguage, string candidate, string? candidateLanguage) =>
        Compare(StatedFigures.Extract(text, textLanguage), StatedFigures.Extract(candidate, candidateLanguage));

    /// <summary>Whether two amounts state the same quantity: equal, or within the tolerance if either is approximate, in no two different currencies.</summary>
    public static bool SameAmount(StatedAmount a, StatedAmount b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Currency is not null && b.Currency is not null && a.Currency != b.Currency) return false;
        return Close(a.Value, b.Value, a.Approximate || b.Approximate);
    }

    private static bool SamePercentage(StatedPercentage a, StatedPercentage b) => Close(a.Value, b.Value, a.Approximate || b.Approximate);

    private static bool Close(decimal a, decimal b, bool approximate) =>
        approximate ? Math.Abs(a - b) <= ApproximateTolerance * Math.Max(Math.Abs(a), Math.Abs(b)) : a == b;

    private static FigureAgreement CompareKind<T>(IReadOnlyList<T> text, IReadOnlyList<T> candidate, Func<T, T, bool> same)
    {
        if (text.Count == 0 || candidate.Count == 0) return FigureAgreement.Unrelated;
        var textContained = text.All(t => candidate.Any(c => same(t, c)));
        var candidateContained = candidate.All(c => text.Any(t => same(t, c)));
        return textContained || candidateContained ? FigureAgreement.Agrees : FigureAgreement.Contradicts;
    }
}
