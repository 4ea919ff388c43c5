using System.Globalization;
using ClaimTracker.Api.Checks;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>A figure of the page: a claim and its quantity.</summary>
public sealed record FigureRow(ClaimRef Claim, QuantityResponse Quantity);

/// <summary>
/// A total and its parts as the page shows them, on the total's page and on each part's: the figures, their sum, and
/// the consistency check's finding when they do not add up (the rule of `GET /checks/consistency`).
/// </summary>
public sealed record FiguresView(FigureRow Total, IReadOnlyList<FigureRow> Parts, decimal SumOfParts, ConsistencyFinding? Finding)
{
    public static FiguresView Of(FigureRow total, IReadOnlyList<FigureRow> parts)
    {
        var t = total.Quantity;
        var finding = ConsistencyRules.Check(
            new ConsistencyTotal(total.Claim.Id, total.Claim.Slug, total.Claim.Statement, t.Amount, t.Unit, t.Approximate, t.LowerBound, t.UpperBound),
            parts.Select(p => (p.Claim.Id, p.Claim.Slug, p.Quantity.Amount, p.Quantity.Unit, p.Quantity.Approximate)));
        var sum = parts.Where(p => p.Quantity.Unit == t.Unit).Sum(p => p.Quantity.Amount);
        return new FiguresView(total, parts, sum, finding);
    }
}

/// <summary>Amounts as a newsroom writes them: `$12B`, `$5.5B`, `$300M`, `1.2B CNY`, `about $12B`.</summary>
public static class Amounts
{
    private static readonly (decimal Scale, string Suffix)[] Scales = [(1_000_000_000_000m, "T"), (1_000_000_000m, "B"), (1_000_000m, "M")];

    public static string Format(decimal amount, string unit, bool approximate = false)
    {
        var magnitude = Math.Abs(amount);
        var (scale, suffix) = Scales.FirstOrDefault(s => magnitude >= s.Scale, (Scale: 1m, Suffix: ""));
        var number = (magnitude / scale).ToString(suffix.Length > 0 ? "0.##" : "#,0.##", CultureInfo.InvariantCulture) + suffix;
        var sign = amount < 0 ? "−" : "";
        var text = unit == "USD" ? $"{sign}${number}" : $"{sign}{number} {unit}";
        return approximate ? $"about {text}" : text;
    }

    public static string Format(QuantityResponse quantity) => Format(quantity.Amount, quantity.Unit, quantity.Approximate);

    /// <summary>A relative difference as a percentage: 0.025 → `2.5%`.</summary>
    public static string Percent(decimal relative) =>
        (Math.Abs(relative) * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
