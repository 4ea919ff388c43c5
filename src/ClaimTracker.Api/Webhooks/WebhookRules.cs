using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Webhooks;

/// <summary>A subscription's checked fields: the URL, the events, the filter resolved to an entity id.</summary>
public sealed record WebhookFilterFields(string? Subject, Guid? SubjectId, ClaimStatus? Status);

/// <summary>What a subscription may say; each bad field is named in the 400.</summary>
public static class WebhookRules
{
    public static string? Url(string? text, WebhookOptions options, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("url", "url is required.");
            return null;
        }
        if (text.Length > Limits.Url) errors.Add("url", $"url must be at most {Limits.Url} characters.");
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("url", $"'{text}' is not an absolute https URL.");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !options.AllowHttp) errors.Add("url", "url must use https (http is not allowed here).");
        else if (!string.IsNullOrEmpty(url.UserInfo)) errors.Add("url", "url must not carry credentials; the signature authenticates the API.");
        else if (!options.AllowPrivateNetworks && WebhookAddresses.RefuseHost(url) is { } refused) errors.Add("url", $"url: {refused} Webhooks go to public addresses.");
        else return url.AbsoluteUri;
        return null;
    }

    public static string[]? Events(string[]? events, ValidationErrors errors)
    {
        if (events is null || events.Length == 0)
        {
            errors.Add("events", $"events is required: one or more of {string.Join(", ", WebhookEventTypes.Subscribable)}.");
            return null;
        }
        var unknown = events.Where(e => !WebhookEventTypes.Subscribable.Contains(e)).ToList();
        if (unknown.Count == 0) return [.. events.Distinct()];
        errors.Add("events", $"Unknown events: {string.Join(", ", unknown.Select(e => $"'{e}'"))}. Events are " +
                             $"{string.Join(", ", WebhookEventTypes.Subscribable)}.");
        return null;
    }

    public static Task<WebhookFilterFields?> FilterAsync(
        WebhookFilter filter, ClaimTrackerDbContext db, ValidationErrors errors, CancellationToken cancellationToken) =>
        FilterAsync(filter.Subject, filter.Status, db, errors, cancellationToken);

    private static async Task<WebhookFilterFields?> FilterAsync(
        string? subject, string? statusWord, ClaimTrackerDbContext db, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var status = errors.Enum<ClaimStatus>("filter.status", statusWord);
        Guid? subjectId = null;
        if (subject is not null)
        {
            subjectId = subject.Length > Limits.Slug ? null
                : await db.Entities.AsNoTracking().WhereIdOrSlug(subject).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken);
            if (subjectId is null) errors.Add("filter.subject", $"No entity has the id or slug '{subject}'.");
        }
        return errors.Any ? null : new WebhookFilterFields(subject, subjectId, status);
    }

    public static void Description(string? description, ValidationErrors errors) =>
        errors.OptionalText("description", description, Limits.Title);
}
