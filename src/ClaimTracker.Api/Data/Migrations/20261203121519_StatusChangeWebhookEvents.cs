using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class StatusChangeWebhookEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Each link appended to the status chain writes its claim.status_changed event in the same transaction (the
            // outbox; webhook_events_fan_out queues its deliveries), whichever code appends it. Nobody subscribed to status
            // changes: no event, so bulk loads of history (the benchmark's generator) write nothing more.
            migrationBuilder.Sql("""
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS status_changes_webhook_event ON status_changes;
                DROP FUNCTION IF EXISTS status_changes_webhook_event();
                """);
        }
    }
}
