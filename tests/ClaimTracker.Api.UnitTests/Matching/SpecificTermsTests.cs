using ClaimTracker.Api.Matching;

namespace ClaimTracker.Api.UnitTests.Matching;

public sealed class SpecificTermsTests
{
    private static IReadOnlyList<string> Unexplained(string text, string claim, params string[] entityNames) =>
        SpecificTerms.Of(text).Unexplained(SpecificTerms.Of(claim), SpecificTerms.Words(claim),
            entityNames.SelectMany(SpecificTerms.Words).ToHashSet());

    [Theory]
    // Accounted for: the same terms, in either language, or none at all
    [InlineData("ByteDance did not buy Nvidia H100s outside the US.", "ByteDance has not bought Nvidia H100 chips outside the US.")]
    [InlineData("Gli utenti sono aumentati negli ultimi cinque mesi.", "Users grew markedly over the last five months.")]
    [InlineData("ByteDance said in settembre it builds chips.", "ByteDance said in September that it is building its own AI chips.")]
    [InlineData("La spesa raddoppierebbe quella dell'anno scorso.", "ByteDance's spending would double its spending of the previous year.")]
    [InlineData("ByteDance dodged sanctions with chips in South-East Asian data centres.", "ByteDance kept Nvidia chips in data centres in South-East Asia.")]
    public void TermsTheClaimHasAreAccountedFor(string text, string claim) => Assert.Empty(Unexplained(text, claim));

    [Theory]
    [InlineData("ByteDance did not buy Nvidia H20 chips outside the US.", "ByteDance has not bought Nvidia H100 chips outside the US.", "h20")]
    [InlineData("Users grew markedly over the last five years.", "Users grew markedly over the last five months.", "year")]
    [InlineData("ByteDance ha dichiarato a marzo che costruisce chip.", "ByteDance said in September that it is building its own AI chips.", "month 3")]
    [InlineData("ByteDance's 2025 spending would triple last year's.", "ByteDance's spending in 2025 would double its spending of the previous year.", "x3")]
    [InlineData("ByteDance denies it will spend $12B on AI chips.", "ByteDance plans to spend about $12 billion on AI chips in 2025.", "denial")]
    [InlineData("ByteDance kept Nvidia chips in data centres in the Medio Oriente.", "ByteDance kept Nvidia chips in data centres in South-East Asia.", "medio")]
    public void ATermTheClaimLacksIsNamed(string text, string claim, string term) => Assert.Contains(term, Unexplained(text, claim));

    [Fact]
    public void ANameIsAccountedForByATrackedEntity() =>
        Assert.Empty(Unexplained("ByteDance says the United States rule stopped it.", "ByteDance cited a US export-control rule.", "United States"));

    [Theory]
    [InlineData("May ByteDance spend more?")] // "May" opening a sentence is a verb
    [InlineData("The AI chips cost more.")] // a capitalised first word and a short acronym are not names
    public void SentenceStartsAndAcronymsAreNotTerms(string text)
    {
        var terms = SpecificTerms.Of(text);
        Assert.Empty(terms.Months);
        Assert.DoesNotContain("the", terms.Names);
        Assert.DoesNotContain("ai", terms.Names);
    }

    [Fact]
    public void FoldingDropsCaseAndAccentsAsPostgresUnaccentDoes() =>
        Assert.Equal("perche spendera l'eta", TextFolding.Fold("Perché SPENDERÀ l'età"));
}
