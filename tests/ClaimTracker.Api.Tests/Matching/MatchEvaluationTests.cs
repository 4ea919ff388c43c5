using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Matching;

/// <summary>
/// The matcher against the labelled evaluation set (match-evaluation.json, written before the matcher; see its README):
/// every case is sent to `POST /claims/match` over the 16 seeded claims. Prints the figures decision 012 records.
/// </summary>
public sealed class MatchEvaluationTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Case(string Id, string Text, string Language, string? Expect, bool Duplicate, string Why);

    private sealed record Candidate(string Slug, double Score, string Verdict);

    [Fact]
    public async Task TopOneIsRightInNineCasesOfTenNothingIsAFalseDuplicateAndMostDuplicatesAreRecognised()
    {
        var cases = JsonSerializer.Deserialize<List<Case>>(
            await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Matching", "match-evaluation.json"), Ct),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        // As a database is once autovacuum has been by: candidates are chosen using the search index's statistics.
        await using (var db = app.CreateDbContext()) await db.Database.ExecuteSqlRawAsync("ANALYZE claims; SELECT claimtracker_refresh_common_lexemes()", Ct);
        using var client = app.CreateClient();

        int topOne = 0, falseDuplicates = 0, duplicatesFound = 0, ruledOut = 0;
        var report = new StringBuilder();
        foreach (var c in cases)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/claims/match", new { text = c.Text, language = c.Language, limit = 5 }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var items = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray()
                .Select(i => new Candidate(i.GetProperty("claim").GetProperty("slug").GetString()!, i.GetProperty("score").GetDouble(),
                    i.GetProperty("verdict").GetString()!))
                .ToList();

            var first = items.FirstOrDefault();
            var right = c.Expect is null ? items.All(i => i.Verdict != "duplicate") : first?.Slug == c.Expect;
            var wrongDuplicates = items.Count(i => i.Verdict == "duplicate" && !(c.Duplicate && i.Slug == c.Expect));
            if (right) topOne++;
            falseDuplicates += wrongDuplicates;
            if (c.Duplicate && items.Any(i => i.Slug == c.Expect && i.Verdict == "duplicate")) duplicatesFound++;
            // The guard on create skips the match when its pre-check says no claim can be the text's duplicate: it must
            // never say so of a text the matcher calls a duplicate (decision 012, "The guard's cost").
            if (first?.Verdict == "duplicate")
            {
                await using var db = app.CreateDbContext();
                if (await DuplicateGuard.MayHaveDuplicateAsync(db, c.Text, Ct) == false)
                {
                    ruledOut++;
                    report.AppendLine($"{c.Id}: a duplicate of {first.Slug} that the guard's pre-check rules out");
                }
            }
            if (!right || wrongDuplicates > 0 || (c.Duplicate && first?.Verdict != "duplicate"))
            {
                report.AppendLine($"{c.Id}: expected {c.Expect ?? "none"}{(c.Duplicate ? " (duplicate)" : "")}; got " +
                                  string.Join(", ", items.Select(i => $"{i.Slug} {i.Score:0.000} {i.Verdict}")));
            }
        }

        var duplicateCases = cases.Count(c => c.Duplicate);
        var accuracy = (double)topOne / cases.Count;
        var recall = (double)duplicatesFound / duplicateCases;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{cases.Count} cases: top-1 {topOne} ({accuracy:P1}); false duplicates {falseDuplicates}; " +
            $"duplicates recognised {duplicatesFound} of {duplicateCases} ({recall:P1})\n{report}");
        Console.WriteLine($"match evaluation: {cases.Count} cases, top-1 {accuracy:P1}, false duplicates {falseDuplicates}, " +
                          $"duplicates recognised {recall:P1}\n{report}");

        Assert.True(accuracy >= 0.9, $"top-1 {accuracy:P1} < 90 %\n{report}");
        Assert.True(falseDuplicates == 0, $"{falseDuplicates} false duplicates\n{report}");
        // A matcher that never said `duplicate` would pass the two above: the guard on create needs it to say so.
        Assert.True(recall >= 0.8, $"duplicates recognised {recall:P1} < 80 %\n{report}");
        Assert.True(ruledOut == 0, $"{ruledOut} duplicates ruled out by the guard's pre-check\n{report}");
    }
}
