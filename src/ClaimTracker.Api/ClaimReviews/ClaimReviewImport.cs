using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.ClaimReviews;

/// <summary>
/// What became of one review: `created` (a new `unverified` claim), `linked` (the matcher found the claim tracked already:
/// the review is an appearance of it), `updated` (a review imported before, with another rating or text: a new revision of
/// its source, and an appearance for a new stance), `unchanged` (imported before, the same), `rejected` (nothing written).
/// </summary>
public enum ImportOutcome { Created, Linked, Updated, Unchanged, Rejected }

/// <summary>The claim a review is an appearance of.</summary>
public sealed record ImportedClaim(Guid Id, string Slug);

/// <summary>One review's outcome; `index` is its place among the body's reviews (from 0), `reason` says why it was rejected.</summary>
public sealed record ImportItemResult(
    int Index, string? Url, ImportOutcome Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImportedClaim? Claim,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

/// <summary>The counts of each outcome, and every review's, in the body's order.</summary>
public sealed record ImportResponse(int Created, int Linked, int Updated, int Unchanged, int Rejected, IReadOnlyList<ImportItemResult> Items)
{
    public static ImportResponse Of(IReadOnlyList<ImportItemResult> items) => new(
        items.Count(i => i.Outcome == ImportOutcome.Created), items.Count(i => i.Outcome == ImportOutcome.Linked),
        items.Count(i => i.Outcome == ImportOutcome.Updated), items.Count(i => i.Outcome == ImportOutcome.Unchanged),
        items.Count(i => i.Outcome == ImportOutcome.Rejected), items);
}

/// <summary>
/// Imports ClaimReviews (docs/decisions/019-claimreview-import.md), each in a transaction of its own so that one bad review
/// changes nothing and the others go on. The review's `url` is its key: its `fact_check` source is found by it.
/// Shared by `POST /imports/claimreview` and the `import claimreview` command.
/// </summary>
public static partial class ClaimReviewImport
{
    /// <summary>The entity a claim is about when neither a tracked entity named in it nor its claimant says.</summary>
    public const string UnknownSubjectSlug = "unknown-subject";

    private const int SlugWords = 60;

    public static async Task<ImportResponse> ImportAsync(
        ClaimTrackerDbContext db, IReadOnlyList<JsonElement> items, string actor, TimeProvider clock, CancellationToken cancellationToken)
    {
        var results = new List<ImportItemResult>(items.Count);
        foreach (var (item, index) in items.Select((item, i) => (item, i)))
        {
            if (ClaimReviewReader.Read(item, out var reason) is not { } review)
            {
                results.Add(new ImportItemResult(index, UrlOf(item), ImportOutcome.Rejected, null, reason));
                continue;
            }
            try
            {
                results.Add(await ImportOneAsync(db, index, review, actor, clock.GetUtcNow(), cancellationToken));
            }
            catch (DbUpdateConcurrencyException)
            {
                // PUT /sources/{id}/content revised the review's source between our read and our update.
                results.Add(new ImportItemResult(index, review.Url, ImportOutcome.Rejected, null,
                    "The review's source was revised by another request at the same moment; import the review again."));
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation("ix_sources_url") || e.IsUniqueViolation("ix_claims_slug")
                                              || e.IsUniqueViolation("ix_entities_slug"))
            {
                // A write outside the import (POST /sources, /claims, /entities) took the url or a slug between our check and insert.
                results.Add(new ImportItemResult(index, review.Url, ImportOutcome.Rejected, null,
                    "Another request created the same url or slug at the same moment; import the review again."));
            }
            finally
            {
                // Each review starts afresh: nothing a failed one added is saved with the next.
                db.ChangeTracker.Clear();
            }
        }
        return ImportResponse.Of(results);
    }

    private static async Task<ImportItemResult> ImportOneAsync(
        ClaimTrackerDbContext db, int index, ImportedReview review, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One import at a time, review by review: the same url, or two reviews of one new claim, in concurrent imports
        // would otherwise both find nothing and both create.
        await DatabaseLocks.LockImportsAsync(db, cancellationToken);
        var wanted = await WebhookOutbox.WantedAsync(db, cancellationToken);

        var source = await db.Sources.FirstOrDefaultAsync(s => s.Url == review.Url, cancellationToken);
        if (source is not null)
        {
            return await ReimportAsync(db, index, review, source, wanted, now, transaction, cancellationToken);
        }

        var matches = await ClaimMatcher.MatchAsync(db, review.ClaimReviewed, MatchingApi.MatcherLanguage(review.PrimaryLanguage), 5, [], cancellationToken);
        ImportedClaim claim;
        ClaimFacts? created = null;
        ImportOutcome outcome;
        if (matches is [{ Verdict: MatchVerdict.Duplicate } best, ..])
        {
            // Tracked already: the review becomes an appearance of that claim; its ETag changes with it.
            await db.Claims.Where(c => c.Id == best.ClaimId).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
            claim = await db.Claims.AsNoTracking().Where(c => c.Id == best.ClaimId).Select(c => new ImportedClaim(c.Id, c.Slug)).SingleAsync(cancellationToken);
            outcome = ImportOutcome.Linked;
        }
        else
        {
            (created, var reason) = await CreateClaimAsync(db, review, matches, actor, wanted, now, cancellationToken);
            if (created is null) return Rejected(index, review, reason!);
            claim = new ImportedClaim(created.Id, created.Slug);
            outcome = ImportOutcome.Created;
        }

        source = NewSource(review, now);
        db.Sources.Add(source);
        await AddAppearanceAsync(db, claim.Id, created, source, review, wanted, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ImportItemResult(index, review.Url, outcome, claim, null);
    }

    /// <summary>A review whose url is known: unchanged, or a new revision of its source and, for a new stance, an appearance.</summary>
    private static async Task<ImportItemResult> ReimportAsync(
        ClaimTrackerDbContext db, int index, ImportedReview review, Source source, IReadOnlySet<string> wanted, DateTimeOffset now,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        if (source.Kind != SourceKind.FactCheck)
        {
            return Rejected(index, review, $"url: the source {source.Id} ({EnumWords.ToWord(source.Kind)}) has this URL; a review's URL must be its own.");
        }
        var claim = await db.Appearances.AsNoTracking().Where(a => a.SourceId == source.Id)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new ImportedClaim(a.ClaimId, a.Claim.Slug)).FirstOrDefaultAsync(cancellationToken);
        if (claim is null) return Rejected(index, review, $"url: the fact-check source {source.Id} has this URL but reviews no claim.");
        var content = review.Content;
        if (SourceFields.Sha256(content) == source.ContentSha256) return new ImportItemResult(index, review.Url, ImportOutcome.Unchanged, claim, null);

        // Another rating or text: a new revision, as PUT /sources/{id}/content makes one; earlier ones are kept.
        var hash = SourceFields.Sha256(content);
        (source.Content, source.ContentSha256, source.Revision, source.UpdatedAt) = (content, hash, source.Revision + 1, now);
        (source.Title, source.Publisher, source.Language, source.PublishedAt) = (review.Title, review.Publisher, review.Language, review.PublishedAt);
        db.SourceRevisions.Add(new SourceRevision { SourceId = source.Id, Revision = source.Revision, Content = content, ContentSha256 = hash, CreatedAt = now });
        // Its quotes re-anchored in the new text, as PUT /sources/{id}/content does (the appearances stay tracked).
        var (_, orphaned) = await SourceWritesApi.ReanchorQuotesAsync(db, source.Id, content, cancellationToken);
        // The source's UPDATE first, then the claim's: the lock order of every write (DatabaseLocks).
        await db.SaveChangesAsync(cancellationToken);
        await db.Claims.Where(c => c.Id == claim.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
        await WebhookOutbox.SourceRevisedAsync(db, wanted, source.Id, source.Revision, orphaned, [claim.Id], now, cancellationToken);
        if (!db.Appearances.Local.Any(a => a.SourceId == source.Id && a.ClaimId == claim.Id && a.Stance == review.Stance && a.Quote.Exact == review.ClaimReviewed))
        {
            await AddAppearanceAsync(db, claim.Id, null, source, review, wanted, now, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ImportItemResult(index, review.Url, ImportOutcome.Updated, claim, null);
    }

    /// <summary>A new `unverified` claim stating the review's `claimReviewed`, as POST /claims makes one; or why it cannot be.</summary>
    private static async Task<(ClaimFacts? Claim, string? Reason)> CreateClaimAsync(
        ClaimTrackerDbContext db, ImportedReview review, IReadOnlyList<ClaimMatch> matches, string actor, IReadOnlySet<string> wanted,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claimant = review.Claimant is { } agent ? await FindOrCreateEntityAsync(db, agent, now, cancellationToken) : null;
        var subject = await NamedEntityAsync(db, review.ClaimReviewed, cancellationToken) ?? claimant
                      ?? await FindOrCreateUnknownSubjectAsync(db, now, cancellationToken);
        var language = ClaimLanguages.Normalize(review.PrimaryLanguage);
        var statements = language is null || language == ClaimLanguages.Canonical ? null
            : new Dictionary<string, string?> { [language] = review.ClaimReviewed };
        var slug = await FreeSlugAsync(db.Claims.Select(c => c.Slug), Slugify(review.ClaimReviewed, "claim"), cancellationToken);

        var errors = new ValidationErrors();
        var request = new CreateClaimRequest(slug, review.ClaimReviewed, ClaimKind.Assertion, subject.Id.ToString(), claimant?.Id.ToString(),
            null, null, null, null, null, statements);
        if (ClaimRules.Validate(request, errors) is not { } fields)
        {
            return (null, string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)));
        }
        var claim = new Claim { Slug = fields.Slug, Statement = fields.Statement, CreatedAt = now, UpdatedAt = now };
        claim.Apply(fields, new ClaimReferences(subject.Id, claimant?.Id, null));
        db.Claims.Add(claim);
        // What the matcher found stays as `suggested` links, as for POST /claims.
        var links = DuplicateGuard.Links(claim.Id, new GuardOutcome(matches, new HashSet<Guid>()), actor, now).ToList();
        db.ClaimLinks.AddRange(links);
        var facts = new ClaimFacts(claim.Id, claim.Slug, subject.Id, subject.Slug, claim.Status);
        if (wanted.Contains(WebhookEventTypes.ClaimCreated)) WebhookOutbox.ClaimCreated(db, facts, now);
        if (wanted.Contains(WebhookEventTypes.ClaimDuplicateSuggested))
        {
            WebhookOutbox.DuplicateSuggested(db, facts, [.. links.Select(l => new SuggestedLink(l.OtherId, EnumWords.ToWord(l.Relation), l.Score))], now);
        }
        return (facts, null);
    }

    /// <summary>The review as an appearance of the claim: its `claimReviewed`, anchored at the start of the source's text.</summary>
    /// <remarks><paramref name="facts"/>: those of a claim created in this transaction (not in the database yet); else read.</remarks>
    private static async Task AddAppearanceAsync(
        ClaimTrackerDbContext db, Guid claimId, ClaimFacts? facts, Source source, ImportedReview review, IReadOnlySet<string> wanted,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (prefix, suffix) = QuoteAnchoring.Context(source.Content!, 0, review.ClaimReviewed.Length);
        var appearance = new Appearance
        {
            ClaimId = claimId, SourceId = source.Id, Stance = review.Stance, CreatedAt = now,
            Quote = new Quote
            {
                Exact = review.ClaimReviewed, Prefix = prefix, Suffix = suffix, Start = 0, End = review.ClaimReviewed.Length,
                Anchor = AnchorState.Anchored,
            },
        };
        db.Appearances.Add(appearance);
        if (wanted.Contains(WebhookEventTypes.AppearanceAdded))
        {
            WebhookOutbox.AppearanceAdded(db, facts ?? await WebhookOutbox.ClaimFactsAsync(db, claimId, cancellationToken), appearance.Id, source.Id, now);
        }
    }

    private static Source NewSource(ImportedReview review, DateTimeOffset now)
    {
        var content = review.Content;
        var hash = SourceFields.Sha256(content);
        return new Source
        {
            Kind = SourceKind.FactCheck, Title = review.Title, Url = review.Url, Publisher = review.Publisher, Language = review.Language,
            PublishedAt = review.PublishedAt, Content = content, ContentSha256 = hash, CreatedAt = now, UpdatedAt = now,
            Revisions = [new SourceRevision { Revision = 1, Content = content, ContentSha256 = hash, CreatedAt = now }],
        };
    }

    /// <summary>The entity whose name or an alias is <paramref name="agent"/>'s name (ignoring case), else a new one.</summary>
    private static async Task<Entity> FindOrCreateEntityAsync(ClaimTrackerDbContext db, ImportedAgent agent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = await db.Entities
            .FromSql($"SELECT * FROM entities WHERE lower(name) = lower({agent.Name}) OR lower({agent.Name}) = ANY (SELECT lower(a) FROM unnest(aliases) AS a)")
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).FirstOrDefaultAsync(cancellationToken);
        if (found is not null) return found;
        var slug = await FreeSlugAsync(db.Entities.Select(e => e.Slug), Slugify(agent.Name, "entity"), cancellationToken);
        var entity = new Entity { Slug = slug, Name = agent.Name, Kind = agent.Kind, CreatedAt = now, UpdatedAt = now };
        db.Entities.Add(entity);
        return entity;
    }

    /// <summary>The first tracked entity (oldest) whose name or an alias the text names as whole words.</summary>
    private static async Task<Entity?> NamedEntityAsync(ClaimTrackerDbContext db, string text, CancellationToken cancellationToken)
    {
        var words = SpecificTerms.Words(text).Where(w => w.Length >= 2 && w.All(char.IsLetterOrDigit)).ToList();
        if (words.Count == 0) return null;
        var pattern = SpecificTerms.WordStartPattern(words);
        var candidates = await db.Entities.FromSql($"SELECT * FROM entities WHERE name_words ~ {pattern}").AsNoTracking()
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var folded = TextFolding.Fold(text);
        return candidates.FirstOrDefault(e => TextFolding.Names(folded, [e.Name, .. e.Aliases]));
    }

    private static async Task<Entity> FindOrCreateUnknownSubjectAsync(ClaimTrackerDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.Entities.FirstOrDefaultAsync(e => e.Slug == UnknownSubjectSlug, cancellationToken) is { } found) return found;
        var entity = new Entity
        {
            Slug = UnknownSubjectSlug, Name = "Unknown subject", Kind = EntityKind.Organization, CreatedAt = now, UpdatedAt = now,
            Description = "The subject of claims imported from ClaimReviews that name neither a tracked entity nor a claimant; an editor sets the real one.",
        };
        db.Entities.Add(entity);
        return entity;
    }

    /// <summary><paramref name="slug"/>, or the first of `slug-2`, `slug-3`, … that <paramref name="taken"/> does not hold.</summary>
    private static async Task<string> FreeSlugAsync(IQueryable<string> taken, string slug, CancellationToken cancellationToken)
    {
        var prefix = slug + "-";
        var used = (await taken.Where(s => s == slug || s.StartsWith(prefix)).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        if (!used.Contains(slug)) return slug;
        return Enumerable.Range(2, used.Count + 1).Select(n => $"{slug}-{n}").First(s => !used.Contains(s));
    }

    /// <summary>`The world is flat` → `the-world-is-flat`: folded words, cut at a word within <see cref="SlugWords"/> characters.</summary>
    public static string Slugify(string text, string fallback)
    {
        var words = NonWord().Split(TextFolding.Fold(text)).Where(w => w.Length > 0);
        var slug = "";
        foreach (var word in words)
        {
            var next = slug.Length == 0 ? word : $"{slug}-{word}";
            if (next.Length > SlugWords) break;
            slug = next;
        }
        return slug.Length > 0 ? slug : fallback;
    }

    private static ImportItemResult Rejected(int index, ImportedReview review, string reason) =>
        new(index, review.Url, ImportOutcome.Rejected, null, reason);

    private static string? UrlOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();
}
