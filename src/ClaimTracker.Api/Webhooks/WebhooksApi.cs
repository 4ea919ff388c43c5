using System.Globalization;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Webhooks;

public static class WebhooksApi
{
    /// <summary>How long a rotated-out secret keeps signing, so that receivers can switch over without losing events.</summary>
    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", CreateWebhook).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events (the signing secret is shown once)")
            .WithDescription("`events`: any of `claim.created`, `claim.status_changed`, `appearance.added`, `source.revised`, " +
                             "`claim.duplicate_suggested`. `filter.subject` (an entity's id or slug) and `filter.status` keep only " +
                             "the events about that entity or landing on that status. The URL must be https and a public address. " +
                             "Each event is POSTed as `{ \"type\", \"timestamp\", \"data\" }`, signed the Standard Webhooks way " +
                             "(`webhook-id`, `webhook-timestamp`, `webhook-signature`) with `secret`, and retried until a 2xx. " +
                             "Example: `{ \"url\": \"https://newsroom.example/hooks/claimtracker\", \"events\": [\"claim.status_changed\"], " +
                             "\"filter\": { \"subject\": \"bytedance\" }, \"description\": \"ByteDance desk\" }`.")
            .WithSecretResponse()
            .ProducesValidationProblem();
        group.MapGet("/", ListWebhooks).WithName("ListWebhooks")
            .WithSummary("List webhook subscriptions, newest first (without secrets)")
            .WithDescription("Keyset-paginated: follow `nextCursor` (or `Link: rel=\"next\"`) until it is null.")
            .ProducesValidationProblem();
        group.MapGet("/{id:guid}", GetWebhook).WithName("GetWebhook")
            .WithSummary("Get a webhook subscription (without its secret)")
            .WithDescription("`enabled: false` with a `disabledReason` when the receiver answered 410 Gone.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id:guid}", UpdateWebhook).WithName("UpdateWebhook")
            .WithSummary("Change a subscription's url, events, filter, description or enabled")
            .WithDescription("Fields left out stay as they are; `filter` replaces the whole filter (`{}` removes it). Enabling " +
                             "a subscription sends the deliveries that waited while it was disabled. Example: `{ \"enabled\": true, " +
                             "\"events\": [\"claim.created\", \"claim.status_changed\"] }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:guid}", DeleteWebhook).WithName("DeleteWebhook")
            .WithSummary("Delete a subscription and its deliveries")
            .WithDescription("Nothing more is sent to it, pending deliveries included.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("Replace the signing secret (the old one signs too for 24 h)")
            .WithDescription("The new secret is shown once. Until `previousSecretExpiresAt` every request carries two signatures, " +
                             "space-separated in `webhook-signature`: receivers verify with either secret while they switch.")
            .WithSecretResponse()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/ping", Ping).WithName("PingWebhook")
            .WithSummary("Send a `webhook.ping` event to the subscription")
            .WithDescription("Queued and delivered like any event (signed, retried), even to a disabled subscription; follow it " +
                             "in `GET /webhooks/{id}/deliveries`.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapWebhookDeliveries();
        return group;
    }

    private static async Task<Results<Created<CreatedWebhookResponse>, ValidationProblem>> CreateWebhook(
        CreateWebhookRequest request, ClaimTrackerDbContext db, IOptions<WebhookOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var url = WebhookRules.Url(request.Url, options.Value, errors);
        var events = WebhookRules.Events(request.Events, errors);
        WebhookRules.Description(request.Description, errors);
        var filter = request.Filter is null ? new WebhookFilterFields(null, null, null)
            : await WebhookRules.FilterAsync(request.Filter, db, errors, cancellationToken);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Url = url!, Events = events!, FilterSubject = filter!.Subject, FilterSubjectId = filter.SubjectId, FilterStatus = filter.Status,
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
            Secret = WebhookSignature.NewSecret(), CreatedAt = now, UpdatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        var shown = subscription.ToResponse();
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", new CreatedWebhookResponse(
            shown.Id, shown.Url, shown.Events, shown.Filter, shown.Description, shown.Enabled, subscription.Secret, shown.CreatedAt));
    }

    private static async Task<Results<Ok<Page<WebhookResponse>>, ValidationProblem>> ListWebhooks(
        [FromQuery(Name = "limit")] string? limit, [FromQuery(Name = "cursor")] string? cursor, ClaimTrackerDbContext db, HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = errors.Limit(limit);
        var after = Keyset.Decode<DateTimeOffset>(cursor, ListSort, TryParseTime, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var rows = db.WebhookSubscriptions.AsNoTracking();
        if (after is { Key: var createdAt, Id: var lastId })
        {
            rows = rows.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.CreatedAt, s.Id), ValueTuple.Create(createdAt, lastId)));
        }
        var page = await Keyset.PageAsync(rows.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id), size, ListSort,
            s => (TimeKey(s.CreatedAt), s.Id), s => s.ToResponse(), cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetWebhook(
        Guid id, ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is { } subscription
            ? TypedResults.Ok(subscription.ToResponse())
            : NotFound(id);

    private static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> UpdateWebhook(
        Guid id, UpdateWebhookRequest request, ClaimTrackerDbContext db, IOptions<WebhookOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null) return NotFound(id);

        var errors = new ValidationErrors();
        var url = request.Url is null ? subscription.Url : WebhookRules.Url(request.Url, options.Value, errors);
        var events = request.Events is null ? subscription.Events : WebhookRules.Events(request.Events, errors);
        WebhookRules.Description(request.Description, errors);
        var filter = request.Filter is null
            ? new WebhookFilterFields(subscription.FilterSubject, subscription.FilterSubjectId, subscription.FilterStatus)
            : await WebhookRules.FilterAsync(request.Filter, db, errors, cancellationToken);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var wantedStatusChanges = WantsStatusChanges(subscription);
        (subscription.Url, subscription.Events) = (url!, events!);
        (subscription.FilterSubject, subscription.FilterSubjectId, subscription.FilterStatus) = (filter!.Subject, filter.SubjectId, filter.Status);
        if (request.Description is { } description) subscription.Description = description.Trim() is { Length: > 0 } text ? text : null;
        if (request.Enabled is { } enabled)
        {
            subscription.Enabled = enabled;
            subscription.DisabledReason = null;
        }
        if (!wantedStatusChanges && WantsStatusChanges(subscription))
        {
            // Like a new subscription, one enabled or given the event now gets the status changes from now on, not those it missed.
            subscription.StatusChangesAfter = await db.Database
                .SqlQueryRaw<long>("SELECT " + WebhookStatusFanOut.HeadFunction + "() AS \"Value\"").SingleAsync(cancellationToken);
        }
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(subscription.ToResponse());
    }

    private static bool WantsStatusChanges(WebhookSubscription subscription) =>
        subscription.Enabled && subscription.Events.Contains(WebhookEventTypes.ClaimStatusChanged);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(Guid id, ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) == 0 ? NotFound(id) : TypedResults.NoContent();

    private static async Task<Results<Ok<RotatedSecretResponse>, ProblemHttpResult>> RotateSecret(
        Guid id, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null) return NotFound(id);
        var now = clock.GetUtcNow();
        (subscription.PreviousSecret, subscription.PreviousSecretExpiresAt) = (subscription.Secret, now + PreviousSecretLifetime);
        (subscription.Secret, subscription.UpdatedAt) = (WebhookSignature.NewSecret(), now);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RotatedSecretResponse(subscription.Secret, subscription.PreviousSecretExpiresAt.Value));
    }

    private static async Task<Results<Accepted<PingResponse>, ProblemHttpResult>> Ping(
        Guid id, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, cancellationToken)) return NotFound(id);
        var ping = WebhookOutbox.Ping(db, id, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        var deliveryId = await db.WebhookDeliveries.Where(d => d.EventId == ping.Id).Select(d => d.Id).SingleAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", new PingResponse(ping.Id, deliveryId));
    }

    internal static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        type: ProblemTypes.NotFound, title: "Webhook not found", detail: $"No webhook subscription has the id '{id}'.");

    internal static string TimeKey(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    internal static bool TryParseTime(string key, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);

    private const string ListSort = "-created";
}
