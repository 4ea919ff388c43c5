using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Webhooks;

/// <summary>What one fan-out did: the changes it read past the cursor, the events it wrote, and whether anyone wants them.</summary>
public sealed record StatusFanOut(int Scanned, int Written, bool Wanted);

/// <summary>
/// `claim.status_changed` events come from the status chain after its commit, not from the status change's transaction:
/// `status_changes` is already the outbox (append-only, gapless, committed with the change, and committed in `seq` order
/// since each append holds the chain lock until it is visible). A worker reads the changes past a cursor kept in the
/// database (`webhook_cursors`), writes one event per change some subscription wants, and moves the cursor, in one
/// statement; the events' trigger queues the deliveries. Workers of several instances take turns (an advisory lock), and
/// the unique `seq` of an event and (event, subscription) of a delivery make a second pass write nothing.
/// docs/decisions/013-webhooks.md.
/// </summary>
public static class WebhookStatusFanOut
{
    /// <summary>The SQL function returning the chain's last `seq` (0 when empty): a new subscription's starting point.</summary>
    public const string HeadFunction = "webhook_status_changes_head";

    /// <summary>The cursor's name in `webhook_cursors`.</summary>
    public const string Cursor = WebhookEventTypes.ClaimStatusChanged;

    /// <summary>The most changes one statement reads past the cursor; the worker goes again at once when it read that many.</summary>
    public const int Batch = 1000;

    /// <summary>
    /// Fans the next changes out. Two statements in one round trip and one implicit transaction (Npgsql sends a batch
    /// with one Sync): the fan-out lock first, so that the second statement's snapshot (READ COMMITTED: taken when it
    /// starts) sees what the previous holder committed, cursor included. While no enabled subscription wants status
    /// changes it writes nothing, not even the cursor: a subscription starts at the head when it begins to want them
    /// (<see cref="WebhookSubscription.StatusChangesAfter"/>), so the changes in between are skipped without being read.
    /// </summary>
    public static async Task<StatusFanOut> RunAsync(ClaimTrackerDbContext db, int limit, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({DatabaseLocks.WebhookFanOutKey})"),
                    new NpgsqlBatchCommand(Sql) { Parameters = { new() { Value = Cursor }, new() { Value = limit } } },
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken); // past the lock's row
            await reader.ReadAsync(cancellationToken);
            return new StatusFanOut(reader.GetInt32(0), reader.GetInt32(1), reader.GetBoolean(2));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // The body is built as the StatusChangeWebhookEvents trigger built it (jsonb, so the same key order): receivers see
    // no difference. The claim's slug and subject are read at fan-out, normally milliseconds after the change.
    private const string Sql = """
        WITH wanted AS MATERIALIZED (
            SELECT s.status_changes_after AS after, s.filter_subject_id, s.filter_status FROM webhook_subscriptions s
            WHERE s.enabled AND 'claim.status_changed' = ANY (s.events)),
        start AS MATERIALIZED ( -- no row while nobody wants status changes: nothing is read or written
            SELECT greatest((SELECT k.seq FROM webhook_cursors k WHERE k.name = $1), (SELECT min(w.after) FROM wanted w)) AS after
            WHERE EXISTS (SELECT 1 FROM wanted)),
        changes AS MATERIALIZED ( -- a scalar bound, so that it is the primary key's index condition (joined, the
            -- planner walked the index from seq 1: seconds per pass at millions of changes)
            SELECT x.seq, x.claim_id, x.from_status, x.to_status, x.at FROM status_changes x
            WHERE x.seq > (SELECT start.after FROM start)
            ORDER BY x.seq
            LIMIT $2),
        events AS (
            INSERT INTO webhook_events (id, type, body, subject_ids, statuses, created_at, seq)
            SELECT gen_random_uuid(), 'claim.status_changed',
                   jsonb_build_object('type', 'claim.status_changed', 'timestamp', x.at, 'data', jsonb_build_object(
                       'claimId', x.claim_id, 'claimSlug', c.slug, 'subjectId', c.subject_id, 'subjectSlug', e.slug,
                       'from', x.from_status, 'to', x.to_status, 'seq', x.seq))::text,
                   ARRAY[c.subject_id], ARRAY[x.to_status::text], x.at, x.seq
            FROM changes x JOIN claims c ON c.id = x.claim_id JOIN entities e ON e.id = c.subject_id
            WHERE EXISTS (SELECT 1 FROM wanted w
                          WHERE x.seq > w.after AND (w.filter_subject_id IS NULL OR w.filter_subject_id = c.subject_id)
                            AND (w.filter_status IS NULL OR w.filter_status = x.to_status))
            ORDER BY x.seq
            ON CONFLICT (seq) WHERE seq IS NOT NULL DO NOTHING
            RETURNING 1),
        moved AS ( -- past what it read, or to where the subscriptions start
            UPDATE webhook_cursors k SET seq = coalesce((SELECT max(x.seq) FROM changes x), start.after)
            FROM start
            WHERE k.name = $1 AND k.seq < coalesce((SELECT max(x.seq) FROM changes x), start.after))
        SELECT (SELECT count(*) FROM changes)::int, (SELECT count(*) FROM events)::int, EXISTS (SELECT 1 FROM wanted)
        """;
}

/// <summary>
/// Each instance's fan-out of the status chain (<see cref="WebhookStatusFanOut"/>). It wakes on the chain's NOTIFY at each
/// commit (`claimtracker_changes`) while some subscription wants status changes, on a subscription's change, and every
/// `Webhooks:PollInterval` (a lost notification, a restart after `kill -9`: the cursor is in the database, so whatever was
/// committed meanwhile is fanned out then). Passes are at least <see cref="Gap"/> apart, so that a burst of changes is
/// fanned out by one statement. The events' trigger queues the deliveries and wakes every instance's delivery worker.
/// </summary>
internal sealed class WebhookStatusFanOutWorker(
    IServiceScopeFactory scopes, DatabaseEndpoint database, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookStatusFanOutWorker> logger) : BackgroundService
{
    /// <summary>The least time between two passes: at 250 changes a second, a pass fans out two or three of them.</summary>
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(10);

    private TaskCompletionSource _due = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>False while the last pass found no enabled subscription to status changes: the chain's notifications are ignored.</summary>
    private volatile bool _wanted = true;
    private int _subscriptionChanges;

    private void Due() => Volatile.Read(ref _due).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_due.Task.IsCompleted) Volatile.Write(ref _due, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var subscriptionChanges = Volatile.Read(ref _subscriptionChanges);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
                StatusFanOut pass;
                do pass = await WebhookStatusFanOut.RunAsync(db, WebhookStatusFanOut.Batch, stoppingToken);
                while (pass.Scanned == WebhookStatusFanOut.Batch && !stoppingToken.IsCancellationRequested);
                // A subscription changed during the pass may want what the pass did not see wanted: keep listening then.
                if (Volatile.Read(ref _subscriptionChanges) == subscriptionChanges) _wanted = pass.Wanted;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not fan status changes out to webhooks ({Reason}); trying again in {Interval}.", e.Message,
                    options.Value.PollInterval);
            }
            await Task.Delay(Gap, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _due.Task.WaitAsync(options.Value.PollInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == WebhookDispatcher.Channel)
        {
            if (e.Payload != WebhookDispatcher.SubscriptionsChanged) return; // deliveries queued: the delivery worker's business
            Interlocked.Increment(ref _subscriptionChanges);
            _wanted = true;
        }
        else if (!_wanted)
        {
            return;
        }
        Due();
    }

    /// <summary>LISTENs for status changes and subscription changes; meanwhile the poll fans out.</summary>
    private Task ListenAsync(CancellationToken stoppingToken) => DatabaseNotifications.ListenAsync(
        database, "webhook fan-out", [Changes.ChangeListener.Channel, WebhookDispatcher.Channel], OnNotification,
        Due, // whatever was committed while nobody listened
        logger, clock, stoppingToken);
}
