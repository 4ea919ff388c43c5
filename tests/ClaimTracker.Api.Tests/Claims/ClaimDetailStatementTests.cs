using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

/// <summary>
/// The claim detail is read in one statement that PostgreSQL answers with JSON (ClaimLookup.DetailSql, decision 021). It
/// must give what the EF Core projection gave (ClaimProjections.ToDetail, split into three queries), written byte for
/// byte the same, with the same row version, on every claim: the seeded story's and claims with every kind of relative.
/// </summary>
public sealed class ClaimDetailStatementTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonSerializerOptions ApiJson = CreateApiJson();

    private static JsonSerializerOptions CreateApiJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpSetup.Configure(options);
        return options;
    }

    [Fact]
    public async Task TheOneStatementDetailIsTheProjectionsByteForByteOnEveryClaimInEveryLanguage()
    {
        await AddClaimsWithEveryKindOfRelativeAsync();
        await using var db = app.CreateDbContext();
        var claims = await db.Claims.AsNoTracking().Select(c => new { c.Id, c.Slug }).ToListAsync(Ct);
        Assert.True(claims.Count > 20, $"only {claims.Count} claims: the seed is missing");

        foreach (var claim in claims)
        {
            var expected = await db.Claims.AsNoTracking().Where(c => c.Id == claim.Id)
                .Select(ClaimProjections.ToDetail).AsSplitQuery().SingleAsync(Ct);
            var byId = await ClaimLookup.FindDetailAsync(db, claim.Id.ToString(), Ct);
            var bySlug = await ClaimLookup.FindDetailAsync(db, claim.Slug, Ct);
            foreach (var actual in new[] { byId, bySlug })
            {
                Assert.NotNull(actual);
                Assert.Equal(expected.Version, actual.Version);
                foreach (var preference in Preferences)
                {
                    Assert.Equal(Serialize(expected, preference), Serialize(actual, preference));
                }
            }
        }
    }

    [Fact]
    public async Task AClaimThatDoesNotExistIsNullByIdAndBySlug()
    {
        await using var db = app.CreateDbContext();
        Assert.Null(await ClaimLookup.FindDetailAsync(db, Guid.NewGuid().ToString(), Ct));
        Assert.Null(await ClaimLookup.FindDetailAsync(db, "no-such-claim-anywhere", Ct));
    }

    private static readonly string[][] Preferences = [[], ["it"], ["pt-BR", "fr"], ["de-AT"]];

    private static string Serialize(Versioned<ClaimDetailResponse> row, IReadOnlyList<string> preference) =>
        JsonSerializer.Serialize(ClaimLanguages.Present(row.Value, preference, out _), ApiJson);

    /// <summary>
    /// Parts, appearances (several, one with an orphaned quote and characters JSON escapes), translations, quantities with
    /// and without bounds and scales, a claimant, a date, a confirmed duplicate, and text that needs escaping.
    /// </summary>
    private async Task AddClaimsWithEveryKindOfRelativeAsync()
    {
        var subject = await app.AddEntityAsync("subject");
        var claimant = await app.AddEntityAsync("claimant", Api.Entities.EntityKind.Person);
        var total = (await app.AddClaimsAsync(subject, 1, (_, c) =>
        {
            c.Statement = "A total with \"quotes\", a back\\slash, <tags> & ampersands, accents (perché, naïve) and 😀.";
            c.Translations = new Dictionary<string, string> { ["it"] = "Un totale: perché <no>?", ["pt-BR"] = "Um total.", ["de"] = "Ein Ganzes." };
            c.ClaimantId = claimant.Id;
            c.OccurredOn = new DateOnly(2025, 3, 1);
            c.DatePrecision = DatePrecision.Month;
            c.Tags = ["ai-chips", "città"];
            c.Status = ClaimStatus.Disputed;
            c.StatusReason = "Two sources disagree.";
            c.StatusChangedAt = DateTimeOffset.UtcNow.AddHours(-3);
        }))[0];
        await app.AddClaimsAsync(subject, 3, (i, c) =>
        {
            c.PartOfId = total.Id;
            c.Kind = ClaimKind.Quantity;
            c.Quantity = i switch
            {
                0 => new Quantity { Amount = 12_000_000_000m, Unit = "USD", Approximate = true, Period = "2025", Scope = "AI chips" },
                1 => new Quantity { Amount = 95.80m, Unit = "percent", LowerBound = 90.5m, UpperBound = 101.250m },
                _ => new Quantity { Amount = -0.0001m, Unit = "t", Approximate = false },
            };
        });
        var duplicate = (await app.AddClaimsAsync(subject, 1))[0];

        await using var db = app.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var sources = new[]
        {
            new Source { Kind = SourceKind.Article, Title = "Reuters: «chips»", Url = "https://example.com/a?b=1&c=<2>", Publisher = "Reuters", Content = "x", CreatedAt = now, UpdatedAt = now },
            new Source { Kind = SourceKind.Statement, Title = "No URL, no publisher", Content = "y", CreatedAt = now, UpdatedAt = now },
        };
        db.Sources.AddRange(sources);
        db.Appearances.AddRange(
            new Appearance
            {
                ClaimId = total.Id, SourceId = sources[0].Id, Stance = Stance.Supports, CreatedAt = now.AddMinutes(-2),
                Quote = new Quote { Exact = "perché \"sì\"", Prefix = "Lui ha detto ", Suffix = " e poi…", Start = 13, End = 24, Anchor = AnchorState.Anchored },
            },
            new Appearance
            {
                ClaimId = total.Id, SourceId = sources[1].Id, Stance = Stance.Disputes, CreatedAt = now.AddMinutes(-2),
                Quote = new Quote { Exact = "a quote that moved away", Anchor = AnchorState.Orphaned },
            },
            new Appearance
            {
                ClaimId = total.Id, SourceId = sources[0].Id, Stance = Stance.Reports, CreatedAt = now.AddMinutes(-5),
                Quote = new Quote { Exact = "first", Anchor = AnchorState.Unanchored },
            });
        db.ClaimLinks.Add(new ClaimLink
        {
            ClaimId = total.Id, OtherId = duplicate.Id, Relation = LinkRelation.Duplicate, State = LinkState.Confirmed,
            CreatedAt = now, DecidedBy = "test", DecidedAt = now,
        });
        await db.SaveChangesAsync(Ct);
    }
}
