using System.Threading.Channels;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Webhooks;

/// <summary>A delivery a worker has claimed, with what it needs to send it.</summary>
public sealed record ClaimedDelivery(
    Guid DeliveryId, Guid EventId, Guid SubscriptionId, int Retries, string Body, string Url, string Secret, string? PreviousSecret,
    DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset EventCreatedAt, bool Attempted);

/// <summary>
/// The delivery worker, one per instance (every instance runs one). It fans the status chain out past its cursor
/// (<see cref="WebhookStatusFanOut"/>) and sends the deliveries that pass leases to it; it claims other due deliveries in
/// a short transaction of its own (`FOR UPDATE SKIP LOCKED`, so instances never claim the same one, and
/// `next_attempt_at` moved past a lease, so a worker that dies leaves them due again). Sends run concurrently, up to
/// `Webhooks:MaxConcurrentDeliveries`; their results are recorded in batches. It fans out when the chain notifies a commit
/// (`claimtracker_changes`, while some subscription wants status changes) or a subscription is written; it claims when
/// the outbox notifies queued deliveries (`claimtracker_webhooks`), when a send finishes while deliveries were left due,
/// and every `Webhooks:PollInterval` (retries falling due, a notification lost, a restart after `kill -9`: both the
/// cursor and the deliveries are in the database). docs/decisions/013-webhooks.md.
/// </summary>
internal sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, DatabaseEndpoint database, WebhookSender sender, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>The channel the outbox trigger notifies when it queues deliveries (and redeliver when it requeues one).</summary>
    public const string Channel = "claimtracker_webhooks";

    /// <summary>The payload a subscription's insert, update or delete notifies on <see cref="Channel"/> (a trigger), for the status fan-out.</summary>
    public const string SubscriptionsChanged = "subscriptions";

    /// <summary>Beyond twice the timeout (the send, then recording it), how long a claimed delivery stays leased before another worker may take it.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The least time between two fan-out passes: a burst of status changes is fanned out by one statement, and the pass's
    /// fixed cost is shared by the changes of its interval (at 200 changes a second, about ten a pass). It adds at most
    /// that much to a delivery's lag.
    /// </summary>
    private static readonly TimeSpan FanOutGap = TimeSpan.FromMilliseconds(50);

    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>1 when the chain or a subscription changed since the last fan-out pass.</summary>
    private int _fanOutDue = 1;

    /// <summary>1 when deliveries may have been queued or fallen due since the last claim.</summary>
    private int _claimDue = 1;

    /// <summary>False while the last pass found no enabled subscription to status changes: the chain's notifications are ignored.</summary>
    private volatile bool _wanted = true;

    private int _subscriptionChanges;

    private void FanOutDue()
    {
        Volatile.Write(ref _fanOutDue, 1);
        Wake();
    }

    private void ClaimDue()
    {
        Volatile.Write(ref _claimDue, 1);
        Wake();
    }

    /// <summary>Whether the last claim or pass left due deliveries behind for want of free slots.</summary>
    private bool _saturated;

    /// <summary>Whether the last pass left status changes in the chain for want of free slots.</summary>
    private bool _fanOutWaiting;

    /// <summary>Sends started and not yet finished: the slots taken (`sending` also holds them, for the shutdown).</summary>
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
        var recording = RecordLoopAsync(stoppingToken);
        var settings = options.Value;
        var sending = new List<Task>();
        var counted = long.MinValue;
        var pruned = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_wake.Task.IsCompleted) Volatile.Write(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            sending.RemoveAll(t => t.IsCompleted);
            var fannedOut = false;
            if (Interlocked.Exchange(ref _fanOutDue, 0) == 1)
            {
                fannedOut = true;
                await FanOutAsync(sending, stoppingToken);
            }
            if (Interlocked.Exchange(ref _claimDue, 0) == 1)
            {
                try
                {
                    var free = FreeSlots();
                    if (free > 0)
                    {
                        var claimed = await ClaimAsync(free, stoppingToken);
                        // Only a claim cut short by the free slots leaves due deliveries behind: then a finished send wakes the loop.
                        Volatile.Write(ref _saturated, claimed.Count == free);
                        foreach (var delivery in claimed) sending.Add(DeliverAsync(delivery, stoppingToken));
                    }
                    else
                    {
                        Volatile.Write(ref _saturated, true);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Could not claim webhook deliveries ({Reason}); trying again in {Interval}.", e.Message, settings.PollInterval);
                }
            }
            if (clock.GetElapsedTime(counted) >= PendingCountInterval) counted = await CountPendingAsync(stoppingToken) ?? counted;
            if (clock.GetElapsedTime(pruned) >= PruneInterval) pruned = await PruneAsync(stoppingToken) ?? pruned;
            // While changes wait in the chain for slots, the next pass comes when half the slots are free, not after the gap:
            // the gap batches a trickle of changes, and a backlog is a batch already.
            if (fannedOut && !Volatile.Read(ref _fanOutWaiting))
            {
                await Task.Delay(FanOutGap, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await _wake.Task.WaitAsync(settings.PollInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!_wake.Task.IsCompleted)
            {
                // The poll: retries falling due, and whatever a lost notification did not announce.
                Volatile.Write(ref _fanOutDue, 1);
                Volatile.Write(ref _claimDue, 1);
            }
        }
        // In-flight sends are cancelled with the host; their leases run out and another worker (or the next start) sends them.
        await Task.WhenAll([.. sending, listening]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _outcomes.Writer.TryComplete(); // what was sent is recorded (for at most 5 s), then the recorder ends
        await recording.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Fans the status chain out (<see cref="WebhookStatusFanOut"/>), as many passes as it takes to reach the head or fill
    /// the free send slots, sending what each pass leases to this worker at once. Changes beyond the free slots wait in the
    /// chain (the cursor stays before them) until half the slots are free; another instance's worker may take them meanwhile.
    /// </summary>
    private async Task FanOutAsync(List<Task> sending, CancellationToken stoppingToken)
    {
        var subscriptionChanges = Volatile.Read(ref _subscriptionChanges);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
            StatusFanOut pass;
            do
            {
                pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, Math.Max(0, FreeSlots()), LeaseUntil(), stoppingToken);
                foreach (var delivery in pass.Leased) sending.Add(DeliverAsync(delivery, stoppingToken));
                Volatile.Write(ref _fanOutWaiting, pass.Waiting);
                // Sends that finished during the pass did not know it would leave changes waiting: if half the slots are
                // already free, the next pass is due now.
                if (pass.Waiting && HalfTheSlotsFree(Volatile.Read(ref _inFlight))) FanOutDue();
                if (pass.LeftDue > 0)
                {
                    Volatile.Write(ref _saturated, true);
                    Volatile.Write(ref _claimDue, 1);
                }
            }
            while (pass.Scanned == WebhookStatusFanOut.Batch && !pass.Waiting && !stoppingToken.IsCancellationRequested);
            // A subscription changed during the pass may want what the pass did not see wanted: keep listening then.
            if (Volatile.Read(ref _subscriptionChanges) == subscriptionChanges) _wanted = pass.Wanted;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Volatile.Write(ref _fanOutDue, 1); // at the next wake, or the poll
            logger.LogWarning("Could not fan status changes out to webhooks ({Reason}); trying again in {Interval}.", e.Message,
                options.Value.PollInterval);
        }
    }

    /// <summary>Send slots not taken by a send in flight, whichever path (a pass's lease or a claim) started it.</summary>
    private int FreeSlots() => options.Value.MaxConcurrentDeliveries - Volatile.Read(ref _inFlight);

    private bool HalfTheSlotsFree(int inFlight) => 2 * inFlight <= options.Value.MaxConcurrentDeliveries;

    /// <summary>Until when a delivery this worker takes is its own: twice the timeout (the send, then recording it) and a margin.</summary>
    private DateTimeOffset LeaseUntil() => clock.GetUtcNow() + 2 * options.Value.Timeout + LeaseMargin;

    /// <summary>How often the worker counts pending deliveries for `/metrics` (an index-only count on the pending index).</summary>
    private static readonly TimeSpan PendingCountInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Counts the pending deliveries and the status changes not yet fanned out into the
    /// `claimtracker.webhooks.deliveries.pending` and `claimtracker.webhooks.status_changes.waiting` gauges; returns when,
    /// or null if it could not.
    /// </summary>
    private async Task<long?> CountPendingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
            var pending = await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM webhook_deliveries WHERE state = 'pending'")
                .SingleAsync(cancellationToken);
            Telemetry.ClaimTrackerMetrics.SetWebhookDeliveriesPending(pending);
            Telemetry.ClaimTrackerMetrics.SetWebhookStatusChangesWaiting(await WebhookStatusFanOut.WaitingAsync(db, cancellationToken));
            return clock.GetTimestamp();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // the claim above already logged the outage; the gauge keeps its last count
        }
    }

    /// <summary>How often the worker prunes the outbox past `Webhooks:Retention` (every instance does; a prune is idempotent).</summary>
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    /// <summary>Prunes the outbox (<see cref="WebhookRetention"/>); returns when, or null if it could not.</summary>
    private async Task<long?> PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
            var deleted = await WebhookRetention.PruneAsync(db, clock.GetUtcNow() - options.Value.Retention, cancellationToken);
            if (deleted > 0) logger.LogInformation("Pruned {Count} webhook events older than {Retention}.", deleted, options.Value.Retention);
            return clock.GetTimestamp();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // tried again at the next turn of the loop; the claim logs an outage
        }
    }

    /// <summary>Claims up to <paramref name="limit"/> due deliveries in one statement (its own transaction), leasing them.</summary>
    private async Task<List<ClaimedDelivery>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        var now = clock.GetUtcNow();
        var leaseUntil = LeaseUntil();
        // A disabled subscription's deliveries wait (they go if it is enabled again); a ping goes to its subscription anyway.
        return await db.Database.SqlQuery<ClaimedDelivery>($"""
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}
            FROM webhook_events e, webhook_subscriptions s
            WHERE d.id IN (SELECT due.id FROM webhook_deliveries due
                           JOIN webhook_subscriptions ds ON ds.id = due.subscription_id
                           JOIN webhook_events de ON de.id = due.event_id
                           WHERE due.state = 'pending' AND due.next_attempt_at <= {now}
                             AND (ds.enabled OR de.subscription_id IS NOT NULL)
                           ORDER BY due.next_attempt_at
                           LIMIT {limit}
                           FOR UPDATE OF due SKIP LOCKED)
              AND e.id = d.event_id AND s.id = d.subscription_id
            RETURNING d.id AS delivery_id, d.event_id, d.subscription_id, d.retries, e.body, s.url, s.secret, s.previous_secret,
                      s.previous_secret_expires_at, e.created_at AS event_created_at,
                      EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_id = d.id) AS attempted
            """).ToListAsync(cancellationToken);
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            var now = clock.GetUtcNow();
            if (!delivery.Attempted) Telemetry.ClaimTrackerMetrics.WebhookOutboxLag.Record(Math.Max(0, (now - delivery.EventCreatedAt).TotalSeconds));
            IReadOnlyList<string> secrets = delivery is { PreviousSecret: { } previous, PreviousSecretExpiresAt: { } expires } && expires > now
                ? [delivery.Secret, previous]
                : [delivery.Secret];
            var outcome = await sender.SendAsync(delivery.Url, delivery.EventId.ToString(), delivery.Body, secrets, stoppingToken);
            _outcomes.Writer.TryWrite(new SentDelivery(delivery, now, outcome));
        }
        finally
        {
            var inFlight = Interlocked.Decrement(ref _inFlight);
            if (Volatile.Read(ref _saturated)) ClaimDue(); // a slot is free, and deliveries were left due
            // Status changes wait in the chain: the next pass once half the slots are free (a pass of a few deliveries
            // costs nearly what a full one does).
            if (Volatile.Read(ref _fanOutWaiting) && HalfTheSlotsFree(inFlight)) FanOutDue();
        }
    }

    /// <summary>A send's result, waiting to be recorded.</summary>
    private sealed record SentDelivery(ClaimedDelivery Delivery, DateTimeOffset At, AttemptOutcome Outcome);

    private readonly Channel<SentDelivery> _outcomes = System.Threading.Channels.Channel.CreateUnbounded<SentDelivery>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The most sends one recording statement writes.</summary>
    private const int RecordBatch = 200;

    /// <summary>How long the recorder lets sends gather after the first one of a batch: fewer, larger statements.</summary>
    private static readonly TimeSpan RecordGather = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Records sends in batches, one statement each: whatever finished while the previous batch was being written, and
    /// in the <see cref="RecordGather"/> after the first of them. At hundreds of deliveries a second a statement per send was
    /// the worker's main cost to the database (and so to the status changes beside it); at a trickle a batch is one send,
    /// recorded <see cref="RecordGather"/> after it. Until it is recorded a delivery
    /// stays leased; if recording fails, the lease runs out and it is sent again (at least once). At shutdown what was
    /// sent is still recorded, for at most 5 s.
    /// </summary>
    private async Task RecordLoopAsync(CancellationToken stoppingToken)
    {
        using var limit = new CancellationTokenSource();
        await using var stopping = stoppingToken.Register(() => limit.CancelAfter(TimeSpan.FromSeconds(5)));
        var batch = new List<SentDelivery>(RecordBatch);
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(RecordGather, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            while (batch.Count < RecordBatch && _outcomes.Reader.TryRead(out var sent)) batch.Add(sent);
            try
            {
                await RecordAsync(batch, limit.Token);
            }
            catch (Exception e)
            {
                logger.LogWarning("Could not record {Count} webhook deliveries ({Reason}); they will be sent again.", batch.Count, e.Message);
            }
            batch.Clear();
        }
    }

    /// <summary>Each attempt, and its delivery's next state: delivered, due again after the schedule's next delay (or the receiver's Retry-After), or failed.</summary>
    private async Task RecordAsync(IReadOnlyList<SentDelivery> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        var now = clock.GetUtcNow();
        var schedule = options.Value.Retries;
        var rows = batch.Select(sent =>
        {
            var (delivery, outcome) = (sent.Delivery, sent.Outcome);
            var gone = outcome.StatusCode == StatusCodes.Status410Gone;
            var state = outcome.Delivered ? DeliveryState.Delivered
                : gone || delivery.Retries >= schedule.Count ? DeliveryState.Failed
                : DeliveryState.Pending;
            return (sent, gone, state,
                Next: state == DeliveryState.Pending ? now + (outcome.RetryAfter ?? schedule[delivery.Retries]) : now,
                Retries: outcome.Delivered ? delivery.Retries : delivery.Retries + 1);
        }).ToList();

        Guid[] attemptIds = [.. rows.Select(_ => Guid.CreateVersion7())];
        Guid[] deliveryIds = [.. rows.Select(r => r.sent.Delivery.DeliveryId)];
        DateTimeOffset[] attemptedAt = [.. rows.Select(r => r.sent.At)];
        int?[] statusCodes = [.. rows.Select(r => r.sent.Outcome.StatusCode)];
        int[] durations = [.. rows.Select(r => r.sent.Outcome.DurationMs)];
        string?[] errors = [.. rows.Select(r => r.sent.Outcome.Error is { Length: > 1000 } text ? text[..1000] : r.sent.Outcome.Error)];
        string[] states = [.. rows.Select(r => Http.EnumWords.ToWord(r.state))];
        int[] retries = [.. rows.Select(r => r.Retries)];
        DateTimeOffset[] nextAttempts = [.. rows.Select(r => r.Next)];
        DateTimeOffset?[] completedAt = [.. rows.Select(r => r.state == DeliveryState.Pending ? (DateTimeOffset?)null : now)];
        Guid[] gone = [.. rows.Where(r => r.gone).Select(r => r.sent.Delivery.SubscriptionId).Distinct()];
        var goneReason = $"The receiver answered 410 Gone at {now:O}.";
        // One statement, atomic on its own: each delivery's new state, only while pending (a late recording must not undo
        // what a redelivery or another worker has since recorded); the attempts, only of the deliveries that statement
        // found and so locked (a delivery deleted meanwhile with its subscription gets no orphan attempt: the database no
        // longer checks attempts row by row, migration WebhookRowsCascadeByTrigger); and a 410's subscription disabled
        // (the receiver says it is gone for good: nothing more is sent until an admin enables it again).
        await db.Database.ExecuteSqlAsync($"""
            WITH sent AS (
                SELECT * FROM unnest({attemptIds}, {deliveryIds}, {attemptedAt}, {statusCodes}, {durations}, {errors}, {states},
                                     {retries}, {nextAttempts}, {completedAt})
                    AS s(attempt_id, delivery_id, attempted_at, status_code, duration_ms, error, state, retries, next_attempt_at, completed_at)),
            recorded AS (
                UPDATE webhook_deliveries d
                SET state = CASE WHEN d.state = 'pending' THEN sent.state ELSE d.state END,
                    retries = CASE WHEN d.state = 'pending' THEN sent.retries ELSE d.retries END,
                    next_attempt_at = CASE WHEN d.state = 'pending' THEN sent.next_attempt_at ELSE d.next_attempt_at END,
                    completed_at = CASE WHEN d.state = 'pending' THEN sent.completed_at ELSE d.completed_at END
                FROM sent
                WHERE d.id = ANY ({deliveryIds}) AND d.id = sent.delivery_id
                RETURNING d.id),
            attempts AS (
                INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error)
                SELECT sent.attempt_id, sent.delivery_id, sent.attempted_at, sent.status_code, sent.duration_ms, sent.error
                FROM sent WHERE sent.delivery_id IN (SELECT r.id FROM recorded r))
            UPDATE webhook_subscriptions SET enabled = false, disabled_reason = {goneReason}, updated_at = {now}
            WHERE id = ANY ({gone}) AND enabled
            """, cancellationToken); // ANY: the deliveries by their key, not a scan of the table joined to the batch
        foreach (var failed in rows.Where(r => r.state == DeliveryState.Failed))
        {
            logger.LogWarning("Webhook delivery {Delivery} to subscription {Subscription} failed for good: {Error}",
                failed.sent.Delivery.DeliveryId, failed.sent.Delivery.SubscriptionId, failed.sent.Outcome.Error);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != Channel)
        {
            // A status change committed. While changes already wait in the chain for free slots, the pass that takes them
            // comes when half the slots are free; a pass now would take a change or two.
            if (_wanted && !Volatile.Read(ref _fanOutWaiting)) FanOutDue();
        }
        else if (e.Payload == SubscriptionsChanged)
        {
            Interlocked.Increment(ref _subscriptionChanges);
            _wanted = true;
            FanOutDue();
        }
        else
        {
            ClaimDue(); // deliveries queued or requeued
        }
    }

    /// <summary>Wakes the loop on each notification; until a lost connection is back, the poll does the work.</summary>
    private Task ListenAsync(CancellationToken stoppingToken) => DatabaseNotifications.ListenAsync(
        database, "webhook worker", [Channel, Changes.ChangeListener.Channel], OnNotification,
        () => // whatever was committed or queued while nobody listened
        {
            Volatile.Write(ref _fanOutDue, 1);
            ClaimDue();
        },
        logger, clock, stoppingToken);
}
