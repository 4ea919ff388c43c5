using ClaimTracker.Api.Checks;

namespace ClaimTracker.Api.UnitTests.Checks;

/// <summary>The severity rule of docs/decisions/007-consistency-rule.md, without a host.</summary>
public sealed class ConsistencyRulesTests
{
    [Theory]
    // Exact figures: any difference is at least medium.
    [InlineData(100, 100, false, null)]
    [InlineData(1000, 1001, false, "Medium")]
    [InlineData(100, 110, false, "Medium")]
    [InlineData(100, 111, false, "High")]
    [InlineData(100, 80, false, "High")]
    // Approximate figures: 1% is rounding, then low to 5%, medium to 10%, high beyond; shortfalls like excesses.
    [InlineData(100, 101, true, null)]
    [InlineData(100, 99, true, null)]
    [InlineData(1000, 1011, true, "Low")]
    [InlineData(100, 105, true, "Low")]
    [InlineData(100, 95, true, "Low")]
    [InlineData(100, 106, true, "Medium")]
    [InlineData(100, 110, true, "Medium")]
    [InlineData(100, 111, true, "High")]
    // Parts that add up to anything at all against a zero total.
    [InlineData(0, 1, true, "High")]
    public void SeverityGrowsWithTheRelativeDifferenceAndAllowsForRounding(int total, int sum, bool approximate, string? expected) =>
        Assert.Equal(expected is null ? null : Enum.Parse<Severity>(expected), ConsistencyRules.SeverityOf(total, sum, approximate));

    [Fact]
    public void TheSeededBudgetSplitIsALowFinding()
    {
        var total = Total(12_000_000_000m, approximate: true);

        var finding = ConsistencyRules.Check(total, [Part(5_500_000_000m), Part(6_800_000_000m)]);

        Assert.NotNull(finding);
        Assert.Equal(12_300_000_000m, finding.SumOfParts);
        Assert.Equal(300_000_000m, finding.Difference);
        Assert.Equal(0.025m, finding.RelativeDifference);
        Assert.Equal(Severity.Low, finding.Severity);
    }

    [Fact]
    public void AnApproximatePartMakesTheComparisonApproximate()
    {
        var finding = ConsistencyRules.Check(Total(100m, approximate: false), [Part(60m), Part(43m, approximate: true)]);

        Assert.Equal(Severity.Low, finding?.Severity);
    }

    [Fact]
    public void PartsInAnotherUnitAreListedButNotSummed()
    {
        var finding = ConsistencyRules.Check(Total(100m, approximate: false), [Part(70m), Part(500m, unit: "CNY")]);

        Assert.NotNull(finding);
        Assert.Equal(70m, finding.SumOfParts);
        Assert.Equal([true, false], finding.Parts.Select(p => p.Counted));
    }

    [Fact]
    public void NoPartInTheTotalsUnitIsNoFinding() =>
        Assert.Null(ConsistencyRules.Check(Total(100m, approximate: false), [Part(500m, unit: "CNY")]));

    [Theory]
    [InlineData(90, 130, 120)]
    [InlineData(90, null, 200)]
    [InlineData(null, 110, 50)]
    public void ASumWithinTheTotalsRangeIsNoFinding(int? lower, int? upper, int sum) =>
        Assert.Null(ConsistencyRules.Check(Total(100m, approximate: false, lower, upper), [Part(sum)]));

    [Fact]
    public void ASumOutsideTheTotalsRangeIsJudgedAgainstTheAmount()
    {
        var finding = ConsistencyRules.Check(Total(100m, approximate: false, 90m, 110m), [Part(130m)]);

        Assert.Equal(Severity.High, finding?.Severity);
        Assert.Equal(30m, finding?.Difference);
    }

    private static ConsistencyTotal Total(decimal amount, bool approximate, decimal? lower = null, decimal? upper = null) =>
        new(Guid.NewGuid(), "total", "A total.", amount, "USD", approximate, lower, upper);

    private static (Guid, string, decimal, string, bool) Part(decimal amount, string unit = "USD", bool approximate = false) =>
        (Guid.NewGuid(), $"part-{amount}", amount, unit, approximate);
}
