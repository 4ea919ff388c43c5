using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class StatusChangesFannedOutAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // claim.status_changed leaves the status change's transaction: the chain (status_changes, committed with the
            // change, in seq order) is the outbox, and each instance's worker fans it out after commit past a cursor
            // (WebhookStatusFanOut, docs/decisions/013-webhooks.md). Dropping the trigger and setting the cursor to the head
            // happen in this one transaction, which holds status_changes locked: each change gets its event once, from the
            // trigger before, from the fan-out after. A subscription starts at the head when it is created.
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS status_changes_webhook_event ON status_changes;
                DROP FUNCTION IF EXISTS status_changes_webhook_event();
                CREATE FUNCTION webhook_status_changes_head() RETURNS bigint LANGUAGE sql STABLE
                    AS $$ SELECT coalesce(max(seq), 0) FROM status_changes $$;
                CREATE TABLE webhook_cursors (name character varying(64) PRIMARY KEY, seq bigint NOT NULL);
                INSERT INTO webhook_cursors (name, seq) VALUES ('claim.status_changed', webhook_status_changes_head());
                """);

            migrationBuilder.AddColumn<long>(
                name: "status_changes_after",
                table: "webhook_subscriptions",
                type: "bigint",
                nullable: false,
                defaultValueSql: "webhook_status_changes_head()");

            migrationBuilder.AddColumn<long>(
                name: "seq",
                table: "webhook_events",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_events_seq",
                table: "webhook_events",
                column: "seq",
                unique: true,
                filter: "seq IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_event_id_subscription_id",
                table: "webhook_deliveries",
                columns: new[] { "event_id", "subscription_id" },
                unique: true);

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_event_id",
                table: "webhook_deliveries");

            // The fan-out becomes a statement trigger: a batch of events (the status fan-out writes up to 1,000 at once)
            // queues its deliveries in one INSERT and notifies the workers once. A status change's event goes only to the
            // subscriptions that wanted status changes before it (seq > status_changes_after). ON CONFLICT: a second pass
            // never queues a delivery twice.
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_events_fan_out ON webhook_events;
                CREATE OR REPLACE FUNCTION webhook_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO webhook_deliveries (id, event_id, subscription_id, state, retries, next_attempt_at, created_at)
                    SELECT gen_random_uuid(), e.id, s.id, 'pending', 0, e.created_at, e.created_at
                    FROM inserted e JOIN webhook_subscriptions s
                      ON CASE WHEN e.subscription_id IS NOT NULL THEN s.id = e.subscription_id
                              ELSE s.enabled AND e.type = ANY (s.events)
                                   AND (e.seq IS NULL OR e.seq > s.status_changes_after)
                                   AND (s.filter_subject_id IS NULL OR s.filter_subject_id = ANY (e.subject_ids))
                                   AND (s.filter_status IS NULL OR s.filter_status = ANY (e.statuses)) END
                    ON CONFLICT (event_id, subscription_id) DO NOTHING;
                    IF FOUND THEN
                        PERFORM pg_notify('claimtracker_webhooks', '');
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events REFERENCING NEW TABLE AS inserted
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_fan_out();
                """);

            // A subscription written (by the API or a script) wakes every instance's fan-out, which ignores the chain's
            // notifications while nobody wants status changes.
            migrationBuilder.Sql("""
                CREATE FUNCTION webhook_subscriptions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('claimtracker_webhooks', 'subscriptions');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_subscriptions_notify AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_subscriptions_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_subscriptions_notify ON webhook_subscriptions;
                DROP FUNCTION webhook_subscriptions_notify();
                DROP TRIGGER webhook_events_fan_out ON webhook_events;
                CREATE OR REPLACE FUNCTION webhook_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO webhook_deliveries (id, event_id, subscription_id, state, retries, next_attempt_at, created_at)
                    SELECT gen_random_uuid(), NEW.id, s.id, 'pending', 0, NEW.created_at, NEW.created_at
                    FROM webhook_subscriptions s
                    WHERE CASE WHEN NEW.subscription_id IS NOT NULL THEN s.id = NEW.subscription_id
                               ELSE s.enabled AND NEW.type = ANY (s.events)
                                    AND (s.filter_subject_id IS NULL OR s.filter_subject_id = ANY (NEW.subject_ids))
                                    AND (s.filter_status IS NULL OR s.filter_status = ANY (NEW.statuses)) END;
                    IF FOUND THEN
                        PERFORM pg_notify('claimtracker_webhooks', '');
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events
                    FOR EACH ROW EXECUTE FUNCTION webhook_events_fan_out();
                """);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_event_id",
                table: "webhook_deliveries",
                column: "event_id");

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_event_id_subscription_id",
                table: "webhook_deliveries");

            migrationBuilder.DropIndex(
                name: "ix_webhook_events_seq",
                table: "webhook_events");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "webhook_events");

            migrationBuilder.DropColumn(
                name: "status_changes_after",
                table: "webhook_subscriptions");

            // Changes committed since the fan-out's cursor (not yet fanned out) get no event: going down loses them.
            migrationBuilder.Sql("""
                DROP TABLE webhook_cursors;
                DROP FUNCTION webhook_status_changes_head();
                CREATE FUNCTION status_changes_webhook_event() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    claim record;
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions
                                   WHERE enabled AND 'claim.status_changed' = ANY (events)) THEN
                        RETURN NULL;
                    END IF;
                    SELECT c.slug, c.subject_id, e.slug AS subject_slug INTO claim
                    FROM claims c JOIN entities e ON e.id = c.subject_id
                    WHERE c.id = NEW.claim_id;
                    INSERT INTO webhook_events (id, type, body, subject_ids, statuses, created_at)
                    VALUES (gen_random_uuid(), 'claim.status_changed',
                            jsonb_build_object('type', 'claim.status_changed', 'timestamp', NEW.at, 'data', jsonb_build_object(
                                'claimId', NEW.claim_id, 'claimSlug', claim.slug, 'subjectId', claim.subject_id,
                                'subjectSlug', claim.subject_slug, 'from', NEW.from_status, 'to', NEW.to_status, 'seq', NEW.seq))::text,
                            ARRAY[claim.subject_id], ARRAY[NEW.to_status::text], NEW.at);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER status_changes_webhook_event AFTER INSERT ON status_changes
                    FOR EACH ROW EXECUTE FUNCTION status_changes_webhook_event();
                """);
        }
    }
}
