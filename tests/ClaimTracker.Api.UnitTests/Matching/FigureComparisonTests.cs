using ClaimTracker.Api.Matching;
using static ClaimTracker.Api.Matching.FigureAgreement;

namespace ClaimTracker.Api.UnitTests.Matching;

/// <summary>When a text's figures agree with a candidate claim's, contradict them (never a duplicate), or say nothing.</summary>
public sealed class FigureComparisonTests
{
    // The seeded claims' statements.
    private const string Budget = "ByteDance plans to spend about $12 billion on AI chips in 2025.";
    private const string Domestic =
        "ByteDance plans to spend $5.5 billion of its 2025 AI-chip budget on purchases in China, mainly from Huawei and Cambricon.";
    private const string Abroad = "ByteDance plans to spend $6.8 billion of its 2025 AI-chip budget on AI infrastructure abroad.";
    private const string NoH100 =
        "ByteDance has not bought Nvidia H100 chips for its data centres outside the US, because of a US export-control rule.";

    [Theory]
    [InlineData("ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025", "it", "ByteDance plans to spend about $12B on AI chips in 2025")]
    [InlineData("ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025", "it", Budget)]
    [InlineData("ByteDance investe 12 miliardi di dollari in chip AI", "it", Budget)]              // no year on one side decides nothing
    [InlineData("$5.5B in China", "en", "$5.5 billion for purchases in China")]
    [InlineData("$5.5B in China", "en", Domestic)]
    [InlineData("ByteDance spenderà 6,8 miliardi all'estero", "it", Abroad)]                       // a currency on one side only
    [InlineData("ByteDance will spend 12.3 billion dollars on chips", "en", Budget)]               // within 5% of "about $12 billion"
    [InlineData("$5.5B in China and $6.8B abroad", "en", Domestic)]                                 // the candidate's one amount is among the text's
    [InlineData("$5.5B in China and $6.8B abroad", "en", Abroad)]
    [InlineData("$12B in 2024 and 2025", "en", "$12B in 2025")]                                       // the candidate's year is among the text's
    [InlineData("AI chip budgets grew 12% in 2025", "en", "AI chip budgets grew about 12 per cent")]
    public void SameAmountsAndYearsAgree(string text, string language, string candidate)
    {
        Assert.Equal(Agrees, FigureComparison.Compare(text, language, candidate, "en"));
    }

    [Theory]
    [InlineData("ByteDance spenderà 5,5 miliardi all'estero", "it", Abroad)]                       // "5,5 miliardi in Cina" is not "$6.8 billion abroad"
    [InlineData("ByteDance spenderà 5,5 miliardi all'estero", "it", Budget)]
    [InlineData("ByteDance spenderà 5,5 miliardi all'estero", "it", "ByteDance plans to spend about $12B on AI chips in 2025")]
    [InlineData("$12B in 2024", "en", "$12B in 2025")]                                              // the same amount in another year
    [InlineData("$5.5B in China and $6.8B abroad", "en", Budget)]                                   // parts are not the total
    [InlineData("$12.3B on AI chips", "en", "$12B on AI chips")]                                    // exact figures allow no difference
    [InlineData("ByteDance will spend 13 billion dollars on chips", "en", Budget)]                 // beyond 5% of "about $12 billion"
    [InlineData("€12bn on AI chips", "en", "$12bn on AI chips")]                                    // another currency
    [InlineData("$12B, of which $5.5B in China", "en", "$12B, of which $6.8B abroad")]             // each states an amount the other lacks
    [InlineData("AI chip budgets grew 12% in 2025", "en", "AI chip budgets grew 20% in 2025")]
    [InlineData("ByteDance will spend $5-6 billion in China", "en", Domestic)]                   // a range is its two ends, not an interval
    public void DifferentAmountsPeriodsOrCurrenciesContradict(string text, string language, string candidate)
    {
        Assert.Equal(Contradicts, FigureComparison.Compare(text, language, candidate, "en"));
    }

    [Theory]
    [InlineData("ByteDance non ha acquistato H100 per i suoi data center", "it", NoH100)]        // "H100" is no figure
    [InlineData("ByteDance non ha acquistato chip Nvidia", "it", Budget)]                         // one side states no figure
    [InlineData("ByteDance investe 12 miliardi di dollari", "it", NoH100)]
    [InlineData("AI chip budgets grew 12%", "en", "ByteDance plans to spend $12B")]               // a percentage is not an amount
    [InlineData("vietata dal 19 gennaio", "it", "banned from 19 January 2025")]                    // a day of the month is no amount
    public void NoFigureStatedOnBothSidesIsUnrelated(string text, string language, string candidate)
    {
        Assert.Equal(Unrelated, FigureComparison.Compare(text, language, candidate, "en"));
    }

    [Fact]
    public void AContradictionInOneKindOutweighsAgreementInAnother()
    {
        var text = new StatedFigures([new StatedAmount(12_000_000_000m, "USD")], [], [2024]);
        var candidate = new StatedFigures([new StatedAmount(12_000_000_000m, "USD")], [], [2025]);

        Assert.Equal(Contradicts, FigureComparison.Compare(text, candidate));
        Assert.Equal(Agrees, FigureComparison.Compare(text, text));
        Assert.Equal(Unrelated, FigureComparison.Compare(text, StatedFigures.None));
    }

    [Theory]
    [InlineData(100, false, 105, false, false)]  // exact: no tolerance
    [InlineData(100, true, 105, false, true)]    // 5 of the larger 105 is under 5%
    [InlineData(100, false, 105.3, true, false)] // 5.3 of 105.3 is over 5%
    [InlineData(100, true, 95, false, true)]     // 5 of the larger 100 is exactly 5%
    [InlineData(100, true, 94.9, true, false)]
    public void TheToleranceIsFivePercentOfTheLargerWhenEitherIsApproximate(double a, bool aApproximate, double b, bool bApproximate, bool same)
    {
        Assert.Equal(same, FigureComparison.SameAmount(new StatedAmount((decimal)a, "USD", aApproximate), new StatedAmount((decimal)b, null, bApproximate)));
    }

    [Fact]
    public void AmountsInTwoCurrenciesAreNeverTheSame()
    {
        Assert.False(FigureComparison.SameAmount(new StatedAmount(12, "USD", true), new StatedAmount(12, "EUR", true)));
        Assert.True(FigureComparison.SameAmount(new StatedAmount(12, "USD"), new StatedAmount(12)));
    }
}
