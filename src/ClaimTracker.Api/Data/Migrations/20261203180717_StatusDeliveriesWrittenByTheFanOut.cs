using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class StatusDeliveriesWrittenByTheFanOut : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A status change's event (one with a seq) gets its deliveries from the status fan-out's own statement, which
            // leases the first of them to the instance that fans it out (WebhookStatusFanOut, docs/decisions/013-webhooks.md):
            // the trigger queues the other events' deliveries only.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION webhook_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO webhook_deliveries (id, event_id, subscription_id, state, retries, next_attempt_at, created_at)
                    SELECT gen_random_uuid(), e.id, s.id, 'pending', 0, e.created_at, e.created_at
                    FROM inserted e JOIN webhook_subscriptions s
                      ON CASE WHEN e.subscription_id IS NOT NULL THEN s.id = e.subscription_id
                              ELSE s.enabled AND e.type = ANY (s.events)
                                   AND (s.filter_subject_id IS NULL OR s.filter_subject_id = ANY (e.subject_ids))
                                   AND (s.filter_status IS NULL OR s.filter_status = ANY (e.statuses)) END
                    WHERE e.seq IS NULL
                    ON CONFLICT (event_id, subscription_id) DO NOTHING;
                    IF FOUND THEN
                        PERFORM pg_notify('claimtracker_webhooks', '');
                    END IF;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
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
                """);
        }
    }
}
