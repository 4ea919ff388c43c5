using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// What one fan-out did: the changes it read past the cursor and those it took (fewer when the free send slots ran out:
/// the others wait in the chain), the events it wrote, whether anyone wants them, how many of its deliveries it left due
/// for any worker to claim (only when one change wants more deliveries than there were free slots), and the ones it
/// leased to its caller to send now.
/// </summary>
public sealed record StatusFanOut(int Scanned, int Taken, int Written, bool Wanted, int LeftDue, IReadOnlyList<ClaimedDelivery> Leased)
{
    /// <summary>Whether changes were left in the chain for want of free slots: a finished send should start the next pass.</summary>
    public bool Waiting => Taken < Scanned;
}

/// <summary>
/// `claim.status_changed` events come from the status chain after its commit, not from the status change's transaction:
/// `status_changes` is already the outbox (append-only, gapless, committed with the change, and committed in `seq` order
/// since each append holds the chain lock until it is visible). A pass reads the changes past a cursor kept in the
/// database (`webhook_cursors`), takes as many of them as the caller's free send slots can carry, writes one event per
/// change some subscription wants and one delivery per event and subscription, and moves the cursor past what it took,
/// in one statement. The deliveries are written already leased to the caller and returned, so that the instance that fans
/// a change out sends it without a claim of its own (at hundreds of deliveries a second, the claim statement was most of
/// what webhooks cost the database); the changes it did not take wait in the chain for the next pass, and only a change
/// wanting more deliveries than there were free slots has some written due, for any instance's worker to claim. Workers of several instances take turns (an
/// advisory lock), and the unique `seq` of an event and (event, subscription) of a delivery make a second pass write
/// nothing. docs/decisions/013-webhooks.md.
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
    /// Fans the next changes out, leasing at most <paramref name="lease"/> of the deliveries it writes to the caller until
    /// <paramref name="leaseUntil"/>. Two statements in one round trip and one implicit transaction (Npgsql sends a batch
    /// with one Sync): the fan-out lock first, so that the second statement's snapshot (READ COMMITTED: taken when it
    /// starts) sees what the previous holder committed, cursor included. While no enabled subscription wants status
    /// changes it writes nothing, not even the cursor: a subscription starts at the head when it begins to want them
    /// (<see cref="WebhookSubscription.StatusChangesAfter"/>), so the changes in between are skipped without being read.
    /// </summary>
    public static async Task<StatusFanOut> RunAsync(ClaimTrackerDbContext db, int limit, int lease, DateTimeOffset leaseUntil,
        CancellationToken cancellationToken)
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
                    new NpgsqlBatchCommand(Sql)
                    {
                        Parameters = { new() { Value = Cursor }, new() { Value = limit }, new() { Value = lease }, new() { Value = leaseUntil } },
                    },
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken); // past the lock's row
            var leased = new List<ClaimedDelivery>();
            (int Scanned, int Taken, int Written, bool Wanted, int LeftDue) summary = default;
            while (await reader.ReadAsync(cancellationToken))
            {
                summary = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetBoolean(3), reader.GetInt32(4));
                if (reader.IsDBNull(5)) continue; // the summary alone: nothing leased
                leased.Add(new ClaimedDelivery(
                    DeliveryId: reader.GetGuid(5), EventId: reader.GetGuid(6), SubscriptionId: reader.GetGuid(7), Retries: 0,
                    Body: reader.GetString(8), Url: reader.GetString(9), Secret: reader.GetString(10),
                    PreviousSecret: reader.IsDBNull(11) ? null : reader.GetString(11),
                    PreviousSecretExpiresAt: reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
                    EventCreatedAt: reader.GetFieldValue<DateTimeOffset>(13), Attempted: false));
            }
            return new StatusFanOut(summary.Scanned, summary.Taken, summary.Written, summary.Wanted, summary.LeftDue, leased);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// How many committed status changes the fan-out has still to take: past the cursor, or past where the subscriptions
    /// start when that is later (0 while no enabled subscription wants status changes).
    /// </summary>
    public static Task<long> WaitingAsync(ClaimTrackerDbContext db, CancellationToken cancellationToken) => db.Database.SqlQueryRaw<long>($"""
        SELECT coalesce((SELECT greatest(0, {HeadFunction}() - greatest(k.seq, w.after))
                         FROM webhook_cursors k,
                              (SELECT min(s.status_changes_after) AS after FROM webhook_subscriptions s
                               WHERE s.enabled AND 'claim.status_changed' = ANY (s.events)) w
                         WHERE k.name = '{Cursor}' AND w.after IS NOT NULL), 0) AS "Value"
        """).SingleAsync(cancellationToken);

    // The body is built as the StatusChangeWebhookEvents trigger built it (jsonb, so the same key order): receivers see
    // no difference. The claim's slug and subject are read at fan-out, normally milliseconds after the change. The
    // events' trigger (webhook_events_fan_out) leaves status events alone: their deliveries are this statement's, so that
    // it can lease them. One summary row, joined to each leased delivery (the summary alone when none is leased).
    private const string Sql = """
        WITH wanted AS MATERIALIZED (
            SELECT s.id, s.status_changes_after AS after, s.filter_subject_id, s.filter_status, s.url, s.secret,
                   s.previous_secret, s.previous_secret_expires_at
            FROM webhook_subscriptions s
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
        counted AS MATERIALIZED ( -- each change with its claim, and how many subscriptions want it
            SELECT x.seq, x.claim_id, x.from_status, x.to_status, x.at, c.slug, c.subject_id, e.slug AS subject_slug,
                   (SELECT count(*) FROM wanted w
                    WHERE x.seq > w.after AND (w.filter_subject_id IS NULL OR w.filter_subject_id = c.subject_id)
                      AND (w.filter_status IS NULL OR w.filter_status = x.to_status))::int AS wanting
            FROM changes x JOIN claims c ON c.id = x.claim_id JOIN entities e ON e.id = c.subject_id),
        taken AS MATERIALIZED ( -- the changes whose first delivery fits in the free slots ($3), in chain order: the rest
            -- wait in the chain, past the cursor, where waiting costs nothing, until slots are free
            SELECT t.* FROM (SELECT k.*, sum(k.wanting) OVER (ORDER BY k.seq) - k.wanting AS before FROM counted k) t
            WHERE t.before < $3),
        events AS (
            INSERT INTO webhook_events (id, type, body, subject_ids, statuses, created_at, seq)
            SELECT gen_random_uuid(), 'claim.status_changed',
                   jsonb_build_object('type', 'claim.status_changed', 'timestamp', t.at, 'data', jsonb_build_object(
                       'claimId', t.claim_id, 'claimSlug', t.slug, 'subjectId', t.subject_id, 'subjectSlug', t.subject_slug,
                       'from', t.from_status, 'to', t.to_status, 'seq', t.seq))::text,
                   ARRAY[t.subject_id], ARRAY[t.to_status::text], t.at, t.seq
            FROM taken t
            WHERE t.wanting > 0
            ORDER BY t.seq
            ON CONFLICT (seq) WHERE seq IS NOT NULL DO NOTHING
            RETURNING id, seq, body, subject_ids[1] AS subject_id, statuses[1] AS status, created_at),
        fan AS MATERIALIZED ( -- each new event's subscriptions, numbered in chain order: the first $3 are leased
            SELECT e.id AS event_id, e.body, e.created_at, w.id AS subscription_id, w.url, w.secret, w.previous_secret,
                   w.previous_secret_expires_at, row_number() OVER (ORDER BY e.seq, w.id) AS n
            FROM events e JOIN wanted w
              ON e.seq > w.after AND (w.filter_subject_id IS NULL OR w.filter_subject_id = e.subject_id)
                 AND (w.filter_status IS NULL OR w.filter_status = e.status)),
        deliveries AS (
            INSERT INTO webhook_deliveries (id, event_id, subscription_id, state, retries, next_attempt_at, created_at)
            SELECT gen_random_uuid(), f.event_id, f.subscription_id, 'pending', 0,
                   CASE WHEN f.n <= $3 THEN $4 ELSE f.created_at END, f.created_at
            FROM fan f
            ON CONFLICT (event_id, subscription_id) DO NOTHING
            RETURNING id, event_id, subscription_id, next_attempt_at = $4 AS leased),
        moved AS ( -- past what it took, or to where the subscriptions start
            UPDATE webhook_cursors k SET seq = coalesce((SELECT max(t.seq) FROM taken t), start.after)
            FROM start
            WHERE k.name = $1 AND k.seq < coalesce((SELECT max(t.seq) FROM taken t), start.after)),
        summary AS MATERIALIZED ( -- deliveries left due wake every instance's worker (a NOTIFY at commit)
            SELECT (SELECT count(*) FROM changes)::int AS scanned, (SELECT count(*) FROM taken)::int AS taken,
                   (SELECT count(*) FROM events)::int AS written,
                   EXISTS (SELECT 1 FROM wanted) AS wanted, left_due,
                   (SELECT count(*) FROM (SELECT pg_notify('claimtracker_webhooks', '') WHERE left_due > 0) n)::int AS notified
            FROM (SELECT count(*) FILTER (WHERE NOT d.leased)::int AS left_due FROM deliveries d) due)
        SELECT s.scanned, s.taken, s.written, s.wanted, s.left_due, d.id, d.event_id, d.subscription_id, f.body, f.url, f.secret,
               f.previous_secret, f.previous_secret_expires_at, f.created_at, s.notified
        FROM summary s
        LEFT JOIN (deliveries d JOIN fan f ON f.event_id = d.event_id AND f.subscription_id = d.subscription_id) ON d.leased
        ORDER BY f.n
        """;
}
