using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Data.Seed;

/// <summary>Seeds the ByteDance AI-chips story once; the facts themselves are in <see cref="StoryData"/>.</summary>
public static class StorySeed
{
    public const int ClaimCount = 16;

    /// <summary>The manifest name of the embedded article text.</summary>
    public const string ArticleResourceName = "ClaimTracker.Api.Data.Seed.bytedance-ai-chips-2025.it.txt";

    /// <summary>The article's well-known id: its presence means the story is already seeded.</summary>
    public static readonly Guid ArticleId = new("01948ccf-8d80-7000-8000-000000000001");

    private const string Actor = "seed";

    // The story's own clock, so that every run stores the same times: rows are created from 07:00, reviewed from 08:00.
    private static readonly DateTimeOffset CreatedFrom = new(2025, 1, 22, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ReviewedFrom = new(2025, 1, 22, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Adds the story unless it is there already; returns whether it added it.</summary>
    public static async Task<bool> SeedAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var article = await ReadArticleAsync(cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await DatabaseLocks.LockSeedAsync(db, cancellationToken);
        if (await db.Sources.AnyAsync(s => s.Id == ArticleId, cancellationToken))
        {
            await AddItalianStatementsAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return false;
        }

        var entities = await AddEntitiesAsync(db, cancellationToken);
        var sources = AddSources(db, article);
        var claims = AddClaims(db, entities, sources);
        await db.SaveChangesAsync(cancellationToken);

        await AppendHistoryAsync(db, claims, sources, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// A story seeded before claims had languages gets its Italian statements; one an editor has given another Italian
    /// statement (or removed) since is left as it is.
    /// </summary>
    private static async Task AddItalianStatementsAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        foreach (var (slug, italian) in StoryData.ItalianStatements)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE claims SET translations = hstore('it', {italian}) WHERE slug = {slug} AND translations = ''::hstore",
                cancellationToken);
        }
    }

    /// <summary>The article exactly as the embedded file holds it.</summary>
    public static async Task<string> ReadArticleAsync(CancellationToken cancellationToken = default)
    {
        await using var stream = OpenArticle() ?? throw new InvalidOperationException(
            $"The embedded resource {ArticleResourceName} is missing: embed Data/Seed/*.txt with WithCulture=\"false\".");
        // No BOM sniffing: the content must be the file's bytes exactly, whatever they start with.
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
            detectEncodingFromByteOrderMarks: false);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    // WithCulture="false" in the csproj keeps ".it.txt" in the main assembly rather than an Italian satellite.
    private static Stream? OpenArticle() => typeof(StorySeed).Assembly.GetManifestResourceStream(ArticleResourceName);


    private static async Task<Dictionary<string, Entity>> AddEntitiesAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        // An entity an editor already created under the same slug is reused, not duplicated.
        var slugs = StoryData.Entities.Select(e => e.Slug).ToList();
        var entities = await db.Entities.Where(e => slugs.Contains(e.Slug)).ToDictionaryAsync(e => e.Slug, cancellationToken);
        foreach (var seed in StoryData.Entities.Where(e => !entities.ContainsKey(e.Slug)))
        {
            var entity = new Entity
            {
                Slug = seed.Slug, Name = seed.Name, Kind = seed.Kind, Aliases = [.. seed.Aliases], Description = seed.Description,
                CreatedAt = CreatedFrom, UpdatedAt = CreatedFrom,
            };
            db.Entities.Add(entity);
            entities.Add(seed.Slug, entity);
        }
        return entities;
    }

    private static Dictionary<string, Source> AddSources(ClaimTrackerDbContext db, string article)
    {
        var sources = new Dictionary<string, Source>();
        foreach (var seed in StoryData.Sources)
        {
            var isArticle = seed.Key == StoryData.Src.Article;
            var content = isArticle ? article : seed.Content;
            var hash = SourceFields.Sha256(content);
            var source = new Source
            {
                Id = isArticle ? ArticleId : Guid.CreateVersion7(),
                Kind = seed.Kind, Title = seed.Title, Publisher = seed.Publisher, Language = seed.Language,
                PublishedAt = seed.PublishedAt, Anonymous = seed.Anonymous, Reliability = seed.Reliability,
                Content = content, ContentSha256 = hash, Revision = 1,
                CreatedAt = CreatedFrom, UpdatedAt = CreatedFrom,
                Revisions = [new SourceRevision { Revision = 1, Content = content, ContentSha256 = hash, CreatedAt = CreatedFrom }],
            };
            db.Sources.Add(source);
            sources.Add(seed.Key, source);
        }
        return sources;
    }

    private static List<(ClaimSeed Seed, Claim Claim)> AddClaims(
        ClaimTrackerDbContext db, Dictionary<string, Entity> entities, Dictionary<string, Source> sources)
    {
        var claims = new List<(ClaimSeed Seed, Claim Claim)>();
        var bySlug = new Dictionary<string, Claim>();
        foreach (var (seed, index) in StoryData.Claims.Select((c, i) => (c, i)))
        {
            var createdAt = CreatedFrom.AddMinutes(index);
            var claim = new Claim
            {
                Slug = seed.Slug, Statement = seed.Statement, Kind = seed.Kind,
                Translations = new() { ["it"] = StoryData.ItalianStatements[seed.Slug] },
                Subject = entities[seed.Subject], Claimant = seed.Claimant is null ? null : entities[seed.Claimant],
                Tags = [.. seed.Tags],
                PartOf = seed.PartOf is null ? null : bySlug[seed.PartOf],
                Quantity = seed.Quantity is not { } q ? null : new Quantity
                {
                    Amount = q.Amount, Unit = q.Unit, Approximate = q.Approximate, Period = q.Period, Scope = q.Scope,
                },
                // The story's events are all dated to the day.
                OccurredOn = seed.OccurredOn, DatePrecision = seed.OccurredOn is null ? null : DatePrecision.Day,
                CreatedAt = createdAt, UpdatedAt = createdAt,
            };
            // Appearances a second apart, so that "oldest first" lists them in the table's order.
            claim.Appearances = [.. seed.Appearances.Select((a, i) => Appear(sources[a.Source], a, createdAt.AddSeconds(i + 1)))];
            db.Claims.Add(claim);
            bySlug.Add(seed.Slug, claim);
            claims.Add((seed, claim));
        }
        if (claims.Count != ClaimCount) throw new InvalidOperationException($"The story has {claims.Count} claims, not {ClaimCount}.");
        return claims;
    }

    /// <summary>Anchors the quote in the source's text; a source without text gets an unanchored quote.</summary>
    private static Appearance Appear(Source source, AppearanceSeed seed, DateTimeOffset createdAt)
    {
        var quote = new Quote { Exact = seed.Exact, Anchor = AnchorState.Unanchored };
        if (source.Content is not null)
        {
            var found = QuoteAnchoring.Locate(source.Content, seed.Exact);
            // A seed bug must fail loudly rather than store a wrong offset.
            if (!found.IsFound)
            {
                throw new InvalidOperationException(
                    $"Seed quote found {found.Matches} times (not once) in '{source.Title}': \"{seed.Exact}\".");
            }
            (quote.Prefix, quote.Suffix) = QuoteAnchoring.Context(source.Content, found.Start, found.End);
            (quote.Start, quote.End, quote.Anchor) = (found.Start, found.End, AnchorState.Anchored);
        }
        return new Appearance { SourceId = source.Id, Source = source, Stance = seed.Stance, Quote = quote, CreatedAt = createdAt };
    }

    private static async Task AppendHistoryAsync(
        ClaimTrackerDbContext db, List<(ClaimSeed Seed, Claim Claim)> claims, Dictionary<string, Source> sources,
        CancellationToken cancellationToken)
    {
        var at = ReviewedFrom;
        foreach (var (seed, claim) in claims)
        {
            var status = claim.Status;
            foreach (var step in seed.History)
            {
                var evidenceSourceIds = step.Evidence.Select(key => sources[key].Id).ToHashSet();
                var evidence = claim.Appearances.Where(a => evidenceSourceIds.Contains(a.SourceId)).Select(a => a.Id).ToList();
                if (evidence.Count == 0 || step.Evidence.Any(key => claim.Appearances.All(a => a.SourceId != sources[key].Id)))
                {
                    throw new InvalidOperationException($"Seed claim {seed.Slug}: each status step needs evidence, from sources the claim appears in.");
                }
                await StatusHistory.WriteAsync(db, claim.Id, expectedVersion: null,
                    new StatusMove(status, step.To, step.Reason, evidence, [], Actor, at), cancellationToken);
                status = step.To;
                at = at.AddMinutes(2);
            }
        }
    }
}
