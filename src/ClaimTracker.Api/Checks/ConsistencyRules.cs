namespace ClaimTracker.Api.Checks;

/// <summary>How far a total and the sum of its parts are apart, once rounding is allowed for.</summary>
public enum Severity { Low, Medium, High }

/// <summary>The total of a finding: a `quantity` claim that has parts.</summary>
public sealed record ConsistencyTotal(
    Guid Id, string Slug, string Statement, decimal Amount, string Unit, bool Approximate, decimal? LowerBound, decimal? UpperBound);

/// <summary>A `quantity` part of the total; `counted` is false for a part in another unit, which is left out of the sum.</summary>
public sealed record ConsistencyPart(Guid Id, string Slug, decimal Amount, string Unit, bool Approximate, bool Counted);

/// <summary>A total whose parts do not add up: `difference` = `sumOfParts` − total, `relativeDifference` = difference / total.</summary>
public sealed record ConsistencyFinding(
    ConsistencyTotal Total, IReadOnlyList<ConsistencyPart> Parts, decimal SumOfParts, decimal Difference,
    decimal? RelativeDifference, Severity Severity);

/// <summary>The findings, most severe first.</summary>
public sealed record ConsistencyReport(IReadOnlyList<ConsistencyFinding> Items);

/// <summary>
/// Whether a total and its parts agree, and how badly they do not (docs/decisions/007-consistency-rule.md). Only parts in
/// the total's unit are summed. Exact figures tolerate no difference: any is at least `medium`, over 10% `high`. When the
/// total or a counted part is approximate ("about $12B"), a difference of up to 1% is rounding and no finding; up to 5%
/// is `low`, up to 10% `medium`, more `high`. A sum within the total's `lowerBound`–`upperBound` range is no finding.
/// </summary>
public static class ConsistencyRules
{
    public const decimal RoundingBand = 0.01m;
    public const decimal LowUpTo = 0.05m;
    public const decimal MediumUpTo = 0.10m;

    /// <summary>The finding for <paramref name="total"/> and its quantity parts, or null when they agree.</summary>
    public static ConsistencyFinding? Check(ConsistencyTotal total, IEnumerable<(Guid Id, string Slug, decimal Amount, string Unit, bool Approximate)> parts)
    {
        var listed = parts
            .Select(p => new ConsistencyPart(p.Id, p.Slug, p.Amount, p.Unit, p.Approximate, Counted: p.Unit == total.Unit))
            .ToList();
        var counted = listed.Where(p => p.Counted).ToList();
        // Nothing in the same unit: nothing to compare.
        if (counted.Count == 0) return null;

        var sum = counted.Sum(p => p.Amount);
        // A total given as a range ("at least", "between") agrees with any sum inside it; a missing bound is open.
        if ((total.LowerBound ?? total.UpperBound) is not null
            && sum >= (total.LowerBound ?? decimal.MinValue) && sum <= (total.UpperBound ?? decimal.MaxValue)) return null;
        var approximate = total.Approximate || counted.Any(p => p.Approximate);
        if (SeverityOf(total.Amount, sum, approximate) is not { } severity) return null;

        var difference = sum - total.Amount;
        decimal? relative = total.Amount == 0 ? null : Math.Round(difference / total.Amount, 6);
        return new ConsistencyFinding(total, listed, sum, difference, relative, severity);
    }

    /// <summary>The severity of a sum of parts against its total; null when they agree within the tolerance.</summary>
    public static Severity? SeverityOf(decimal total, decimal sumOfParts, bool approximate)
    {
        var difference = sumOfParts - total;
        if (difference == 0) return null;
        // Parts that add up to something when the total is zero cannot be rounding.
        if (total == 0) return Severity.High;

        var relative = Math.Abs(difference / total);
        if (relative > MediumUpTo) return Severity.High;
        if (!approximate) return Severity.Medium;
        if (relative <= RoundingBand) return null;
        return relative <= LowUpTo ? Severity.Low : Severity.Medium;
    }
}
