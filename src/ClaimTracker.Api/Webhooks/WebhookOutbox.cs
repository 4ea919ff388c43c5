using System.Text.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Webhooks;

/// <summary>The events a subscription can ask for, and the ping it gets on demand.</summary>
public static class WebhookEventTypes
{
    public const string ClaimCreated = "claim.created";
    public const string ClaimStatusChanged = "claim.status_changed";
    public const string AppearanceAdded = "appearance.added";
    public const string SourceRevised = "source.revised";
    public const string ClaimDuplicateSuggested = "claim.duplicate_suggested";
    public const string Ping = "webhook.ping";

    public static readonly IReadOnlyList<string> Subscribable =
        [ClaimCreated, ClaimStatusChanged, AppearanceAdded, SourceRevised, ClaimDuplicateSuggested];
}

/// <summary>What an event says about a claim: ids and slugs, and what subscriptions' filters match on.</summary>
public sealed record ClaimFacts(Guid Id, string Slug, Guid SubjectId, string SubjectSlug, ClaimStatus Status);

/// <summary>
/// Writes events into the outbox: each call adds a <see cref="WebhookEvent"/> to the caller's unit of work, so it commits
/// or rolls back with the change it reports (no event without its change, no change without its event); the insert's
/// trigger queues one delivery per matching enabled subscription and notifies the workers at commit. Status changes are
/// the exception: the status chain is their outbox (<see cref="WebhookStatusFanOut"/>).
/// Payloads are thin: `{ type, timestamp, data }` with ids, slugs and the move, never whole resources (≤ 20 kB).
/// </summary>
public static class WebhookOutbox
{
    public const int MaxBodyBytes = 20 * 1024;
    /// <summary>The most ids an event lists (about 40 bytes each); `…Count` says how many there were.</summary>
    public const int MaxListedIds = 300;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// The event types some enabled subscription asks for (one indexed read of a small table). An event nobody wants is not
    /// written, as the status fan-out does for status changes: writes without subscribers pay one read, not an insert and a
    /// row kept for the retention period. A subscription created while a write is in flight may miss that write's event.
    /// </summary>
    public static async Task<IReadOnlySet<string>> WantedAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        (await db.WebhookSubscriptions.AsNoTracking().Where(s => s.Enabled).SelectMany(s => s.Events).Distinct()
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

    public static Task<ClaimFacts> ClaimFactsAsync(ClaimTrackerDbContext db, Guid claimId, CancellationToken cancellationToken) =>
        db.Claims.AsNoTracking().Where(c => c.Id == claimId)
            .Select(c => new ClaimFacts(c.Id, c.Slug, c.SubjectId, c.Subject.Slug, c.Status))
            .SingleAsync(cancellationToken);

    public static void ClaimCreated(ClaimTrackerDbContext db, ClaimFacts claim, DateTimeOffset at) =>
        Add(db, WebhookEventTypes.ClaimCreated, at, ClaimData(claim), [claim.SubjectId], [claim.Status]);

    // claim.status_changed is written after commit from the status chain itself (WebhookStatusFanOut): every link, whichever
    // code appends it, is its event's source, and the status change's transaction (under the chain lock) writes nothing more.

    public static void AppearanceAdded(ClaimTrackerDbContext db, ClaimFacts claim, Guid appearanceId, Guid sourceId, DateTimeOffset at) =>
        Add(db, WebhookEventTypes.AppearanceAdded, at, ClaimData(claim) with { AppearanceId = appearanceId, SourceId = sourceId },
            [claim.SubjectId], [claim.Status]);

    /// <summary>The links the matcher suggested for a new claim (only when it suggested any).</summary>
    public static void DuplicateSuggested(ClaimTrackerDbContext db, ClaimFacts claim, IReadOnlyList<SuggestedLink> suggestions, DateTimeOffset at)
    {
        if (suggestions.Count == 0) return;
        Add(db, WebhookEventTypes.ClaimDuplicateSuggested, at, ClaimData(claim) with { Suggestions = [.. suggestions.Take(MaxListedIds)] },
            [claim.SubjectId], [claim.Status]);
    }

    /// <summary>A new content revision: the quotes it orphaned and the claims whose quotes moved; filters see those claims.</summary>
    public static async Task SourceRevisedAsync(ClaimTrackerDbContext db, IReadOnlySet<string> wanted, Guid sourceId, int revision,
        IReadOnlyList<Guid> orphanedAppearanceIds, IReadOnlyList<Guid> changedClaimIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!wanted.Contains(WebhookEventTypes.SourceRevised)) return;
        var claims = await db.Appearances.AsNoTracking().Where(a => a.SourceId == sourceId)
            .Select(a => new { a.Claim.SubjectId, a.Claim.Status }).Distinct().ToListAsync(cancellationToken);
        Add(db, WebhookEventTypes.SourceRevised, at,
            new EventData
            {
                SourceId = sourceId, Revision = revision,
                OrphanedAppearanceIds = [.. orphanedAppearanceIds.Take(MaxListedIds)], OrphanedCount = orphanedAppearanceIds.Count,
                ClaimIds = [.. changedClaimIds.Take(MaxListedIds)], ClaimCount = changedClaimIds.Count,
            },
            claims.Select(c => c.SubjectId), claims.Select(c => c.Status));
    }

    /// <summary>A `webhook.ping` for one subscription, whatever its events and filter.</summary>
    public static WebhookEvent Ping(ClaimTrackerDbContext db, Guid subscriptionId, DateTimeOffset at) =>
        Add(db, WebhookEventTypes.Ping, at, new EventData { WebhookId = subscriptionId }, [], [], subscriptionId);

    private static EventData ClaimData(ClaimFacts claim) => new()
    {
        ClaimId = claim.Id, ClaimSlug = claim.Slug, SubjectId = claim.SubjectId, SubjectSlug = claim.SubjectSlug,
        Status = EnumWords.ToWord(claim.Status),
    };

    private static WebhookEvent Add(ClaimTrackerDbContext db, string type, DateTimeOffset at, EventData data, IEnumerable<Guid> subjects,
        IEnumerable<ClaimStatus> statuses, Guid? subscriptionId = null)
    {
        var body = JsonSerializer.Serialize(new EventBody(type, at, data), Json);
        if (System.Text.Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            throw new InvalidOperationException($"A {type} event of {body.Length} characters exceeds {MaxBodyBytes} bytes.");
        }
        var row = new WebhookEvent
        {
            Type = type, Body = body, CreatedAt = at, SubscriptionId = subscriptionId,
            SubjectIds = [.. subjects.Distinct()], Statuses = [.. statuses.Distinct().Select(EnumWords.ToWord)],
        };
        db.WebhookEvents.Add(row);
        return row;
    }

    private sealed record EventBody(string Type, DateTimeOffset Timestamp, EventData Data);
}

/// <summary>One link the matcher suggested: the other claim, `duplicate` or `related`, and its score.</summary>
public sealed record SuggestedLink(Guid ClaimId, string Relation, double? Score);

/// <summary>An event's `data`: only the fields its type uses are written (nulls are left out).</summary>
public sealed record EventData
{
    public Guid? ClaimId { get; init; }
    public string? ClaimSlug { get; init; }
    public Guid? SubjectId { get; init; }
    public string? SubjectSlug { get; init; }
    public string? Status { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public long? Seq { get; init; }
    public Guid? AppearanceId { get; init; }
    public Guid? SourceId { get; init; }
    public int? Revision { get; init; }
    public Guid[]? OrphanedAppearanceIds { get; init; }
    public int? OrphanedCount { get; init; }
    public Guid[]? ClaimIds { get; init; }
    public int? ClaimCount { get; init; }
    public SuggestedLink[]? Suggestions { get; init; }
    public Guid? WebhookId { get; init; }
}
