using System.Globalization;
using ClaimTracker.Api.Data.Seed;
using ClaimTracker.Api.Matching;

namespace ClaimTracker.Api.UnitTests.Matching;

/// <summary>The amounts, percentages and years a text states: the seeded article's own sentences, its claims, the edge cases.</summary>
public sealed class StatedFiguresTests
{
    private const decimal Billion = 1_000_000_000m;

    // Sentences of the seeded article (Data/Seed/bytedance-ai-chips-2025.it.txt), verbatim.
    private const string AboutTwelveBillion =
        "Secondo recenti rapporti, ByteDance prevede di investire circa 12 miliardi nell’acquisto di chip AI.";
    private const string Title = "ByteDance investe 12 miliardi di dollari in chip AI";
    private const string TwelveBillionIn2025 =
        "Secondo recenti rapporti, ByteDance, il gigante tecnologico cinese e società madre della popolare piattaforma di " +
        "social media TikTok, prevede di investire 12 miliardi di dollari in chip AI nel 2025.";
    private const string TheSplit =
        "Mentre l’investimento interno dovrebbe essere di 5,5 miliardi di dollari, i restanti 6,8 miliardi di dollari " +
        "saranno destinati all’infrastruttura AI all’estero.";
    private const string UnclearIn2025 =
        "Nonostante le incertezze, non è chiaro se ByteDance abbia intenzione di investire una somma massiccia in chip AI nel 2025.";
    private const string Doubling =
        "I rapporti disponibili rilevano che la mossa prevista raddoppierebbe l’investimento dell’azienda rispetto allo scorso anno .";
    private const string NoH100 =
        "Nella sua risposta, ByteDance ha osservato che la società non ha acquistato H100 per i suoi data center al di fuori " +
        "degli Stati Uniti poiché negli Stati Uniti esisteva una regola di controllo delle esportazioni.";
    private const string BanFrom19January =
        "Questa regola richiedeva alla società madre di vendere le proprie azioni statunitensi o di subire un divieto a " +
        "partire dal 19 gennaio.";
    private const string BannedFrom19January =
        "Poiché la società si è rifiutata di vendere le azioni, la popolare piattaforma di social media è stata vietata in " +
        "tutti gli Stati Uniti dal 19 gennaio.";
    private const string FiveMonths =
        "Il numero di utenti di chatbot AI e di utenti di app AI è aumentato notevolmente in Cina negli ultimi cinque mesi.";

    public static TheoryData<string> ArticleSentences =>
    [
        AboutTwelveBillion, Title, TwelveBillionIn2025, TheSplit, UnclearIn2025, Doubling, NoH100, BanFrom19January,
        BannedFrom19January, FiveMonths,
    ];

    [Theory]
    [MemberData(nameof(ArticleSentences))]
    public void TheQuotedSentencesAreTheArticlesOwn(string sentence) => Assert.Contains(sentence, ReadArticle(), StringComparison.Ordinal);

    [Fact]
    public void AboutTwelveBillionWithNoCurrencyIsAnApproximateAmount()
    {
        var figures = StatedFigures.Extract(AboutTwelveBillion, "it");

        Assert.Equal([new StatedAmount(12 * Billion, Currency: null, Approximate: true)], figures.Amounts);
        Assert.Empty(figures.Years);
    }

    [Fact]
    public void TheTitleStatesTwelveBillionDollarsExactly()
    {
        Assert.Equal([new StatedAmount(12 * Billion, "USD")], StatedFigures.Extract(Title, "it").Amounts);
    }

    [Fact]
    public void TwelveBillionDollarsInTwentyTwentyFiveStatesAnAmountAndAYear()
    {
        var figures = StatedFigures.Extract(TwelveBillionIn2025, "it");

        Assert.Equal([new StatedAmount(12 * Billion, "USD")], figures.Amounts);
        Assert.Equal([2025], figures.Years);
        Assert.Empty(figures.Percentages);
    }

    [Fact]
    public void TheSplitStatesBothPartsWithTheirItalianDecimalCommas()
    {
        var figures = StatedFigures.Extract(TheSplit, "it");

        Assert.Equal([new StatedAmount(5.5m * Billion, "USD"), new StatedAmount(6.8m * Billion, "USD")], figures.Amounts);
        Assert.Empty(figures.Years);
    }

    [Fact]
    public void ASentenceWithOnlyTheYearStatesTheYear()
    {
        var figures = StatedFigures.Extract(UnclearIn2025, "it");

        Assert.Empty(figures.Amounts);
        Assert.Equal([2025], figures.Years);
    }

    [Theory]
    [InlineData(Doubling)]            // "raddoppierebbe" is not a number
    [InlineData(NoH100)]              // a model name
    [InlineData(BanFrom19January)]    // a day of the month
    [InlineData(BannedFrom19January)]
    [InlineData(FiveMonths)]          // numbers in words are not read
    public void ArticleSentencesWithoutFiguresStateNone(string sentence)
    {
        Assert.True(StatedFigures.Extract(sentence, "it").IsEmpty);
    }

    [Fact]
    public void TheWholeArticleStatesItsFiveAmountsAndOneYear()
    {
        var figures = StatedFigures.Extract(ReadArticle(), "it");

        Assert.Equal(
            [
                new StatedAmount(12 * Billion, null, Approximate: true), // "circa 12 miliardi"
                new StatedAmount(12 * Billion, "USD"),                   // the title
                new StatedAmount(12 * Billion, "USD"),
                new StatedAmount(5.5m * Billion, "USD"),
                new StatedAmount(6.8m * Billion, "USD"),
            ],
            figures.Amounts);
        Assert.Equal([2025], figures.Years);
        Assert.Empty(figures.Percentages);
    }

    // The seeded claims' English statements and one status reason.
    [Theory]
    [InlineData("ByteDance plans to spend about $12 billion on AI chips in 2025.", "12000000000", true)]
    [InlineData("ByteDance plans to spend $5.5 billion of its 2025 AI-chip budget on purchases in China, mainly from Huawei and Cambricon.", "5500000000", false)]
    [InlineData("ByteDance plans to spend $6.8 billion of its 2025 AI-chip budget on AI infrastructure abroad.", "6800000000", false)]
    public void TheBudgetClaimsStateTheirDollarAmountAndTwentyTwentyFive(string statement, string amount, bool approximate)
    {
        var figures = StatedFigures.Extract(statement, "en");

        Assert.Equal([new StatedAmount(Parse(amount), "USD", approximate)], figures.Amounts);
        Assert.Equal([2025], figures.Years);
    }

    [Theory]
    [InlineData("A US law required ByteDance to sell TikTok's US business or face a ban in the US from 19 January 2025.")]
    [InlineData("TikTok was banned across the US from 19 January 2025 after ByteDance refused to sell it.")]
    [InlineData("ByteDance's planned AI-chip spending in 2025 would double its spending of the previous year.")]
    public void ClaimsThatDateOrCompareStateOnlyTheYear(string statement)
    {
        var figures = StatedFigures.Extract(statement, "en");

        Assert.Empty(figures.Amounts);
        Assert.Equal([2025], figures.Years);
    }

    [Fact]
    public void TheH100ClaimStatesNoFigure()
    {
        Assert.True(StatedFigures.Extract(
            "ByteDance has not bought Nvidia H100 chips for its data centres outside the US, because of a US export-control rule.", "en").IsEmpty);
    }

    [Fact]
    public void TheStatusReasonsSumStatesFourAmounts()
    {
        var figures = StatedFigures.Extract("The reported parts do not add up either: $5.5B + $6.8B = $12.3B, not $12B.", "en");

        Assert.Equal([5.5m * Billion, 6.8m * Billion, 12.3m * Billion, 12 * Billion], figures.Amounts.Select(a => a.Value));
        Assert.All(figures.Amounts, a => Assert.Equal("USD", a.Currency));
    }

    [Theory]
    [InlineData("12", "en", "12", null)]
    [InlineData("12.5", "en", "12.5", null)]
    [InlineData("5 thousand", "en", "5000", null)]
    [InlineData("3 million", "en", "3000000", null)]
    [InlineData("3 milioni", "it", "3000000", null)]
    [InlineData("2 trilioni di dollari", "it", "2000000000000", "USD")] // read as the English "trillion" (decision 010)
    [InlineData("$12bn", null, "12000000000", "USD")]
    [InlineData("$12B", null, "12000000000", "USD")]
    [InlineData("US$12bn", null, "12000000000", "USD")]
    [InlineData("5.5bn", "en", "5500000000", null)]
    [InlineData("6.8 billion", "en", "6800000000", null)]
    [InlineData("12 billion dollars", "en", "12000000000", "USD")]
    [InlineData("12 billion US dollars", "en", "12000000000", "USD")]
    [InlineData("12 billion U.S. dollars", "en", "12000000000", "USD")]
    [InlineData("85 billion yuan", "en", "85000000000", "CNY")]
    [InlineData("12 bln", null, "12000000000", null)]
    [InlineData("€ 1,5 mld", null, "1500000000", "EUR")]
    [InlineData("$12,000,000,000", null, "12000000000", "USD")]
    [InlineData("12.000.000.000 di dollari", null, "12000000000", "USD")]
    [InlineData("12 miliardi", "it", "12000000000", null)]
    [InlineData("12 mld", "it", "12000000000", null)]
    [InlineData("12mld", "it", "12000000000", null)]
    [InlineData("6,8 miliardi di dollari", "it", "6800000000", "USD")]
    [InlineData("5,5 miliardi", null, "5500000000", null)]
    [InlineData("3 milioni di euro", "it", "3000000", "EUR")]
    [InlineData("€5m", null, "5000000", "EUR")]
    [InlineData("$10k", null, "10000", "USD")]
    [InlineData("250 mln", "it", "250000000", null)]
    [InlineData("10 mila", "it", "10000", null)]
    [InlineData("2 trillion", "en", "2000000000000", null)]
    [InlineData("3 bilioni", "it", "3000000000000", null)]  // Italian long scale: a bilione is 10^12
    [InlineData("12 billion yuan", "en", "12000000000", "CNY")]
    [InlineData("50 miliardi di yuan", "it", "50000000000", "CNY")]
    [InlineData("1.000 euro", "it", "1000", "EUR")]           // Italian thousands
    [InlineData("1,5 euro", "it", "1.5", "EUR")]              // Italian decimal comma
    [InlineData("1,000", "en", "1000", null)]                 // English thousands
    [InlineData("1.000", "en", "1", null)]
    [InlineData("1,000", "it", "1", null)]
    [InlineData("1.000", null, "1000", null)]                 // no language: three digits after a lone separator are thousands
    [InlineData("1.500 miliardi", "en", "1500000000000", null)] // an Italian scale word decides over the language given
    [InlineData("1.234.567", null, "1234567", null)]
    [InlineData("1.234,5", null, "1234.5", null)]
    [InlineData("1,234.5", null, "1234.5", null)]
    [InlineData("12.5", "it", "12.5", null)]
    [InlineData("12 €", "it", "12", "EUR")]
    [InlineData("£3 billion", "en", "3000000000", "GBP")]
    [InlineData("$2025", "en", "2025", "USD")]                // a currency makes a four-digit number an amount
    [InlineData("2,025", "en", "2025", null)]
    public void AmountsAreNormalisedToUnits(string text, string? language, string value, string? currency)
    {
        var amount = Assert.Single(StatedFigures.Extract(text, language).Amounts);

        Assert.Equal(new StatedAmount(Parse(value), currency), amount);
    }

    [Theory]
    [InlineData("about $12B")]
    [InlineData("around 12 billion")]
    [InlineData("roughly $12bn")]
    [InlineData("nearly $12bn")]
    [InlineData("more than $12 billion")]
    [InlineData("~$12B")]
    [InlineData("circa 12 miliardi")]
    [InlineData("12 miliardi circa")]
    [InlineData("oltre 12 miliardi")]
    [InlineData("più di 12 miliardi")]
    [InlineData("intorno ai 12 miliardi")]
    public void HedgesAndBoundsMakeAnAmountApproximate(string text)
    {
        var amount = Assert.Single(StatedFigures.Extract(text, null).Amounts);

        Assert.Equal(12 * Billion, amount.Value);
        Assert.True(amount.Approximate);
    }

    [Fact]
    public void ABareAmountIsExact() => Assert.False(Assert.Single(StatedFigures.Extract("$12B", "en").Amounts).Approximate);

    [Theory]
    [InlineData("nel 2025", "it")]
    [InlineData("in 2025", "en")]
    [InlineData("fiscal 2025", "en")]
    [InlineData("FY2025", "en")]
    [InlineData("FY25", "en")]
    [InlineData("19 January 2025", "en")]
    [InlineData("January 19, 2025", "en")]
    [InlineData("il 19 gennaio 2025", "it")]
    [InlineData("dal 1° gennaio 2025", "it")]
    [InlineData("from the 19th of January 2025", "en")]
    [InlineData("19/01/2025", null)]
    [InlineData("19.01.2025", "it")]
    [InlineData("2025-01-19", null)]
    [InlineData("il 19 gennaio 2025 alle 10:30", "it")]
    [InlineData("il 19 gennaio 2025 alle 10.30", "it")]
    [InlineData("on Jan. 19, 2025", "en")]
    public void YearsAreReadAndDaysOfTheMonthAreNotAmounts(string text, string? language)
    {
        var figures = StatedFigures.Extract(text, language);

        Assert.Empty(figures.Amounts);
        Assert.Equal([2025], figures.Years);
    }

    [Fact]
    public void EveryYearIsListedOnce()
    {
        Assert.Equal([2024, 2025], StatedFigures.Extract("$12B in 2024 and in 2025, as in 2024", "en").Years);
    }

    [Fact]
    public void ANumberBesideAMonthIsNotADayWhenItCannotBeOne()
    {
        var figures = StatedFigures.Extract("45 January", "en");

        Assert.Equal([new StatedAmount(45)], figures.Amounts);
    }

    [Theory]
    [InlineData("Nvidia A800")]
    [InlineData("H100")]
    [InlineData("H20 chips")]
    [InlineData("5G networks")]
    [InlineData("COVID-19")]
    [InlineData("12B")]               // a lone letter after a number is a scale only after a currency sign
    [InlineData("the 3rd quarter")]
    [InlineData("il 2° trimestre")]
    [InlineData("doubled")]
    [InlineData("il doppio")]
    public void ModelNamesOrdinalsAndWordsAreNotFigures(string text)
    {
        Assert.True(StatedFigures.Extract(text, null).IsEmpty);
    }

    [Theory]
    [InlineData("12%", "12", false)]
    [InlineData("12 per cent", "12", false)]
    [InlineData("12 percent", "12", false)]
    [InlineData("5,5 per cento", "5.5", false)]
    [InlineData("circa il 30%", "30", true)]
    [InlineData("oltre l’80%", "80", true)]
    [InlineData("about 30%", "30", true)]
    public void PercentagesAreNotAmounts(string text, string value, bool approximate)
    {
        var figures = StatedFigures.Extract(text, null);

        Assert.Empty(figures.Amounts);
        Assert.Equal([new StatedPercentage(Parse(value), approximate)], figures.Percentages);
    }

    [Theory]
    [InlineData("twelve billion dollars", "12000000000", "USD")]
    [InlineData("dodici miliardi di dollari", "12000000000", "USD")]
    [InlineData("a billion dollars", "1000000000", "USD")]
    [InlineData("un miliardo di euro", "1000000000", "EUR")]
    [InlineData("half a billion", "500000000", null)]
    [InlineData("mezzo miliardo", "500000000", null)]
    [InlineData("mille miliardi", "1000000000000", null)]
    public void NumberWordsAreReadBeforeAScale(string text, string value, string? currency)
    {
        Assert.Equal([new StatedAmount(Parse(value), currency)], StatedFigures.Extract(text, null).Amounts);
    }

    [Theory]
    [InlineData("arrivare a miliardi di utenti")]   // an Italian preposition, not "a billion"
    [InlineData("cinque mesi")]
    [InlineData("a few billion")]
    public void NumberWordsWithoutAScaleOfTheirLanguageAreNotRead(string text)
    {
        Assert.Empty(StatedFigures.Extract(text, null).Amounts);
    }

    [Theory]
    [InlineData("$5-6 billion", "en", "USD")]
    [InlineData("5–6 miliardi di dollari", "it", "USD")]
    [InlineData("da 5 a 6 miliardi", "it", null)]
    [InlineData("from 5 to 6 billion", "en", null)]
    [InlineData("between 5 and 6 billion", "en", null)]
    [InlineData("tra 5 e 6 miliardi", "it", null)]
    public void BothEndsOfARangeTakeItsScaleAndCurrency(string text, string language, string? currency)
    {
        Assert.Equal(
            [new StatedAmount(5 * Billion, currency), new StatedAmount(6 * Billion, currency)],
            StatedFigures.Extract(text, language).Amounts);
    }

    [Fact]
    public void AndOutsideABetweenJoinsAListNotARange()
    {
        Assert.Equal(
            [new StatedAmount(5), new StatedAmount(6 * Billion, "USD")],
            StatedFigures.Extract("5 chip designers and 6 billion dollars", "en").Amounts);
    }

    [Fact]
    public void AYearBeforeAnAmountIsNoRange()
    {
        var figures = StatedFigures.Extract("la spesa salirà nel 2025 a 12 miliardi", "it");

        Assert.Equal([new StatedAmount(12 * Billion)], figures.Amounts);
        Assert.Equal([2025], figures.Years);
    }

    [Theory]
    [InlineData("19-20 gennaio 2025", "it", new[] { 2025 })]
    [InlineData("2024-2025", null, new[] { 2024, 2025 })]
    [InlineData("from 2024 to 2025", "en", new[] { 2024, 2025 })]
    public void RangesOfDaysOrYearsAreNoAmounts(string text, string? language, int[] years)
    {
        var figures = StatedFigures.Extract(text, language);

        Assert.Empty(figures.Amounts);
        Assert.Equal(years, figures.Years);
    }

    [Fact]
    public void APercentageRangeStatesBothEnds()
    {
        Assert.Equal([new StatedPercentage(5), new StatedPercentage(10)], StatedFigures.Extract("5-10%", null).Percentages);
    }

    private static decimal Parse(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);

    private static string ReadArticle()
    {
        using var stream = typeof(StorySeed).Assembly.GetManifestResourceStream(StorySeed.ArticleResourceName)
            ?? throw new InvalidOperationException("The seed article is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
