using System.Text.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Checks;

public sealed class ConsistencyApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SeededBudgetSplitAppearsWithItsExactNumbers()
    {
        var items = await ItemsAsync("/api/v1/checks/consistency");

        var finding = Assert.Single(items, i => i.GetProperty("total").GetProperty("slug").GetString() == "bytedance-ai-chips-budget-2025");
        var total = finding.GetProperty("total");
        Assert.Equal(12_000_000_000m, total.GetProperty("amount").GetDecimal());
        Assert.Equal("USD", total.GetProperty("unit").GetString());
        Assert.True(total.GetProperty("approximate").GetBoolean());
        Assert.Equal(["bytedance-ai-chips-abroad-2025", "bytedance-ai-chips-domestic-2025"],
            finding.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("slug").GetString()));
        Assert.Equal([6_800_000_000m, 5_500_000_000m], finding.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("amount").GetDecimal()));
        Assert.Equal(12_300_000_000m, finding.GetProperty("sumOfParts").GetDecimal());
        Assert.Equal(300_000_000m, finding.GetProperty("difference").GetDecimal());
        Assert.Equal(0.025m, finding.GetProperty("relativeDifference").GetDecimal());
        Assert.Equal("low", finding.GetProperty("severity").GetString());
        Assert.Equal("12300000000", finding.GetProperty("sumOfParts").GetRawText());
        Assert.Equal("0.025", finding.GetProperty("relativeDifference").GetRawText());
    }

    [Fact]
    public async Task TotalsThatAddUpOrRoundAreNoFindingsAndExactOnesThatDoNotAre()
    {
        var subject = await app.AddEntityAsync("consistency");
        await AddTotalAsync(subject, "adds-up", 100m, approximate: false, (40m, "EUR"), (60m, "EUR"));
        await AddTotalAsync(subject, "rounds", 1000m, approximate: true, (400m, "EUR"), (605m, "EUR"));
        var exact = await AddTotalAsync(subject, "exact-off", 1000m, approximate: false, (400m, "EUR"), (590m, "EUR"));
        var mixed = await AddTotalAsync(subject, "mixed-units", 100m, approximate: false, (50m, "EUR"), (400m, "CNY"));

        var items = await ItemsAsync($"/api/v1/checks/consistency?subject={subject.Slug}");

        Assert.Equal([mixed.Slug, exact.Slug], items.Select(i => i.GetProperty("total").GetProperty("slug").GetString()));
        var exactFinding = items[1];
        Assert.Equal("medium", exactFinding.GetProperty("severity").GetString());
        Assert.Equal(-10m, exactFinding.GetProperty("difference").GetDecimal());
        Assert.Equal(-0.01m, exactFinding.GetProperty("relativeDifference").GetDecimal());
        var mixedFinding = items[0];
        Assert.Equal("high", mixedFinding.GetProperty("severity").GetString());
        Assert.Equal(50m, mixedFinding.GetProperty("sumOfParts").GetDecimal());
        var counted = mixedFinding.GetProperty("parts").EnumerateArray()
            .ToDictionary(p => p.GetProperty("unit").GetString()!, p => p.GetProperty("counted").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["EUR"] = true, ["CNY"] = false }, counted);
    }

    [Fact]
    public async Task MinSeverityLeavesOutMilderFindings()
    {
        var subject = await app.AddEntityAsync("consistency-severity");
        await AddTotalAsync(subject, "medium", 100m, approximate: false, (99m, "USD"));
        var high = await AddTotalAsync(subject, "high", 100m, approximate: false, (150m, "USD"));

        var all = await ItemsAsync($"/api/v1/checks/consistency?subject={subject.Id}");
        var severe = await ItemsAsync($"/api/v1/checks/consistency?subject={subject.Id}&minSeverity=high");
        var seeded = await ItemsAsync("/api/v1/checks/consistency?subject=bytedance&minSeverity=medium");

        Assert.Equal(2, all.Count);
        Assert.Equal(high.Slug, Assert.Single(severe).GetProperty("total").GetProperty("slug").GetString());
        Assert.Empty(seeded);
    }

    [Theory]
    [InlineData("minSeverity=severe", "minSeverity")]
    [InlineData("subject=", "subject")]
    public async Task BadFiltersAre400NamingThem(string queryString, string field)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/checks/consistency?{queryString}", Ct);

        await Problems.AssertValidationProblemAsync(response, field);
    }

    private async Task<Claim> AddTotalAsync(Entity subject, string stem, decimal amount, bool approximate, params (decimal Amount, string Unit)[] parts)
    {
        var total = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Slug = TestData.UniqueSlug(stem);
            c.Kind = ClaimKind.Quantity;
            c.Quantity = new Quantity { Amount = amount, Unit = parts[0].Unit, Approximate = approximate };
        }))[0];
        await app.AddClaimsAsync(subject, parts.Length, (i, c) =>
        {
            c.Kind = ClaimKind.Quantity;
            c.PartOfId = total.Id;
            c.Quantity = new Quantity { Amount = parts[i].Amount, Unit = parts[i].Unit };
        });
        return total;
    }

    private async Task<List<JsonElement>> ItemsAsync(string url) =>
        [.. (await app.GetJsonAsync<JsonElement>(url)).GetProperty("items").EnumerateArray()];
}
