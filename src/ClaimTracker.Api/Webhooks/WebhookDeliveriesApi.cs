using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Webhooks;

public static class WebhookDeliveriesApi
{
    /// <summary>Adds the deliveries of a subscription to the `/webhooks` group of <see cref="WebhooksApi.MapWebhooks"/>.</summary>
    public static RouteGroupBuilder MapWebhookDeliveries(this RouteGroupBuilder group)
    {
        group.MapGet("/{id:guid}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .WithSummary("List a subscription's deliveries, newest first, each with its attempts")
            .WithDescription("Each delivery is one event for this subscription: `pending` (with `nextAttemptAt`), `delivered`, " +
                             "or `failed` once the retry schedule is spent (or the receiver answered 410). Each attempt has its " +
                             "time, the receiver's status, the duration in ms and the error. `state` filters. Keyset-paginated.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", Redeliver).WithName("RedeliverWebhook")
            .WithSummary("Send a delivery again, with the same webhook-id")
            .WithDescription("Queues the delivery now, whatever its state, with a fresh retry schedule; receivers deduplicate " +
                             "on `webhook-id`, which does not change.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<Page<DeliveryResponse>>, ValidationProblem, ProblemHttpResult>> ListDeliveries(
        Guid id, [FromQuery(Name = "state")] string? state, [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "cursor")] string? cursor, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var wanted = errors.Enum<DeliveryState>("state", state);
        var size = errors.Limit(limit);
        var after = Keyset.Decode<DateTimeOffset>(cursor, Sort, WebhooksApi.TryParseTime, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, cancellationToken)) return WebhooksApi.NotFound(id);

        var rows = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (wanted is { } only) rows = rows.Where(d => d.State == only);
        if (after is { Key: var createdAt, Id: var lastId })
        {
            rows = rows.Where(d => EF.Functions.LessThan(ValueTuple.Create(d.CreatedAt, d.Id), ValueTuple.Create(createdAt, lastId)));
        }
        var page = await Keyset.PageAsync(rows.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
                .Select(d => new DeliveryResponse(d.Id, d.EventId, d.Event.Type, d.State, d.CreatedAt,
                    d.State == DeliveryState.Pending ? d.NextAttemptAt : null, d.CompletedAt,
                    d.Attempts.OrderBy(a => a.AttemptedAt).ThenBy(a => a.Id)
                        .Select(a => new AttemptResponse(a.AttemptedAt, a.StatusCode, a.DurationMs, a.Error)).ToList())),
            size, Sort, d => (WebhooksApi.TimeKey(d.CreatedAt), d.Id), cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> Redeliver(
        Guid id, Guid deliveryId, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var queued = await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.SubscriptionId == id)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, DeliveryState.Pending)
                .SetProperty(d => d.Retries, 0)
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.CompletedAt, (DateTimeOffset?)null), cancellationToken);
        if (queued == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "Delivery not found",
                detail: $"Webhook subscription '{id}' has no delivery '{deliveryId}'.");
        }
        // Wakes the workers at commit, as the outbox trigger does for new deliveries.
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({WebhookDispatcher.Channel}, '')", cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var delivery = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Select(d => new DeliveryResponse(d.Id, d.EventId, d.Event.Type, d.State, d.CreatedAt, d.NextAttemptAt, d.CompletedAt,
                d.Attempts.OrderBy(a => a.AttemptedAt).ThenBy(a => a.Id)
                    .Select(a => new AttemptResponse(a.AttemptedAt, a.StatusCode, a.DurationMs, a.Error)).ToList()))
            .SingleAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", delivery);
    }

    private const string Sort = "-created";
}
