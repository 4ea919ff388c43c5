using System.Text.Json;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Stats;

public sealed class StatsApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] StatusKeys = ["unverified", "in_review", "confirmed", "disputed", "inconclusive", "refuted", "retracted"];

    [Fact]
    public async Task CountsByStatusMatchTheDatabaseWithAllSevenKeys()
    {
        var stats = await app.GetJsonAsync<JsonElement>("/api/v1/stats");

        await using var db = app.CreateDbContext();
        Assert.Equal(["claims", "byStatus", "bySubject", "changesPerDay", "generatedAt"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(await db.Claims.CountAsync(Ct), stats.GetProperty("claims").GetInt32());
        var byStatus = stats.GetProperty("byStatus");
        Assert.Equal(StatusKeys, byStatus.EnumerateObject().Select(p => p.Name));
        foreach (var status in Enum.GetValues<ClaimStatus>())
        {
            Assert.Equal(await db.Claims.CountAsync(c => c.Status == status, Ct), byStatus.GetProperty(EnumWords.ToWord(status)).GetInt32());
        }
        Assert.Equal(0, byStatus.GetProperty("refuted").GetInt32());
        Assert.True(DateTimeOffset.UtcNow - stats.GetProperty("generatedAt").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task SubjectsAreTheTwentyWithMostClaimsTiesBySlug()
    {
        // More subjects than fit, several with the same count, so that both the cut and the ties are exercised.
        for (var i = 0; i < 22; i++) await app.AddClaimsAsync(await app.AddEntityAsync($"stats-{i % 3}"), 1 + i % 4);

        var stats = await app.GetJsonAsync<JsonElement>("/api/v1/stats");

        await using var db = app.CreateDbContext();
        var expected = (await db.Claims.GroupBy(c => new { c.SubjectId, c.Subject.Slug })
                .Select(g => new { g.Key.SubjectId, g.Key.Slug, Count = g.Count() }).ToListAsync(Ct))
            .OrderByDescending(s => s.Count).ThenBy(s => s.Slug, StringComparer.Ordinal).Take(20).ToList();
        var bySubject = stats.GetProperty("bySubject").EnumerateArray().ToList();
        Assert.Equal(expected.Select(s => s.Slug), bySubject.Select(s => s.GetProperty("subject").GetProperty("slug").GetString()));
        Assert.Equal(expected.Select(s => s.Count), bySubject.Select(s => s.GetProperty("claims").GetInt32()));
        var bytedance = bySubject.Single(s => s.GetProperty("subject").GetProperty("slug").GetString() == "bytedance");
        Assert.Equal("ByteDance", bytedance.GetProperty("subject").GetProperty("name").GetString());
        Assert.Equal(StatusKeys, bytedance.GetProperty("byStatus").EnumerateObject().Select(p => p.Name));
        foreach (var status in Enum.GetValues<ClaimStatus>())
        {
            Assert.Equal(await db.Claims.CountAsync(c => c.Subject.Slug == "bytedance" && c.Status == status, Ct),
                bytedance.GetProperty("byStatus").GetProperty(EnumWords.ToWord(status)).GetInt32());
        }
    }

    [Fact]
    public async Task ChangesPerDayCountBackFromTheLatestChangeAndFillTheGaps()
    {
        DateOnly latest;
        await using (var db = app.CreateDbContext())
        {
            // Two changes three days after the latest one: the two days between have none.
            var at = (await db.StatusChanges.MaxAsync(c => c.At, Ct)).AddDays(3);
            latest = DateOnly.FromDateTime(at.UtcDateTime);
            var claims = await db.Claims.OrderBy(c => c.Slug).Take(2).ToListAsync(Ct);
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            foreach (var claim in claims)
            {
                await StatusHistory.WriteAsync(db, claim.Id, expectedVersion: null,
                    new StatusMove(claim.Status, ClaimStatus.Inconclusive, "Stats test.", [], [], "test", at), Ct);
            }
            await transaction.CommitAsync(Ct);
        }

        var stats = await app.GetJsonAsync<JsonElement>("/api/v1/stats?days=5");

        await using var check = app.CreateDbContext();
        var days = stats.GetProperty("changesPerDay").EnumerateArray()
            .Select(d => (Day: DateOnly.ParseExact(d.GetProperty("day").GetString()!, "yyyy-MM-dd"), Changes: d.GetProperty("changes").GetInt32())).ToList();
        Assert.Equal(Enumerable.Range(-4, 5).Select(latest.AddDays), days.Select(d => d.Day));
        Assert.Equal(2, days[^1].Changes);
        Assert.Equal(0, days[^2].Changes);
        Assert.Equal(0, days[^3].Changes);
        foreach (var (day, changes) in days)
        {
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            Assert.Equal(await check.StatusChanges.CountAsync(c => c.At >= from && c.At < from.AddDays(1), Ct), changes);
        }
        Assert.Equal(30, (await app.GetJsonAsync<JsonElement>("/api/v1/stats")).GetProperty("changesPerDay").GetArrayLength());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("367")]
    [InlineData("a week")]
    public async Task DaysOutsideOneTo366Is400(string days)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/stats?days={Uri.EscapeDataString(days)}", Ct);

        await Problems.AssertValidationProblemAsync(response, "days");
    }
}
