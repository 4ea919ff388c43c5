using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Webhooks;

/// <summary>Only events about this entity (id or slug), and/or only those landing on this status.</summary>
public sealed record WebhookFilter(string? Subject, string? Status);

/// <summary>A new subscription: where to send (https), which events, an optional filter and a note for people.</summary>
public sealed record CreateWebhookRequest(string? Url, string[]? Events, WebhookFilter? Filter, string? Description);

/// <summary>What to change; a field left out (or null) stays as it is; `filter: {}` removes the filter, `description: ""` the description.</summary>
public sealed record UpdateWebhookRequest(string? Url, string[]? Events, WebhookFilter? Filter, string? Description, bool? Enabled);

/// <summary>A subscription as shown: never its secret.</summary>
public sealed record WebhookResponse(
    Guid Id, string Url, string[] Events, WebhookFilter? Filter, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A new subscription with its signing secret, shown this once.</summary>
public sealed record CreatedWebhookResponse(
    Guid Id, string Url, string[] Events, WebhookFilter? Filter, string? Description, bool Enabled, string Secret, DateTimeOffset CreatedAt);

/// <summary>The new secret, shown this once; the previous one still signs (a second signature) until <see cref="PreviousSecretExpiresAt"/>.</summary>
public sealed record RotatedSecretResponse(string Secret, DateTimeOffset PreviousSecretExpiresAt);

/// <summary>A queued ping: its `webhook-id` and its delivery, to follow in the deliveries list.</summary>
public sealed record PingResponse(Guid WebhookId, Guid DeliveryId);

/// <summary>One request of a delivery: when, the receiver's status (null when none came), how long it took, and what failed.</summary>
public sealed record AttemptResponse(DateTimeOffset AttemptedAt, int? StatusCode, int DurationMs, string? Error);

/// <summary>
/// One event on its way to the subscription: `pending` (with `nextAttemptAt`), `delivered` or `failed`; `webhookId` is the
/// `webhook-id` header, the same on every attempt. Attempts oldest first.
/// </summary>
public sealed record DeliveryResponse(
    Guid Id, Guid WebhookId, string Type, DeliveryState State, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? CompletedAt, IReadOnlyList<AttemptResponse> Attempts);

public static class WebhookMapping
{
    public static WebhookResponse ToResponse(this WebhookSubscription s) => new(
        s.Id, s.Url, s.Events,
        s.FilterSubject is null && s.FilterStatus is null ? null
            : new WebhookFilter(s.FilterSubject, s.FilterStatus is { } status ? EnumWords.ToWord(status) : null),
        s.Description, s.Enabled, s.DisabledReason, s.PreviousSecretExpiresAt, s.CreatedAt, s.UpdatedAt);
}
