using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookRowsCascadeByTrigger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The outbox's hot path without row-by-row foreign-key checks (docs/decisions/013-webhooks.md, "Without
            // foreign-key checks"): a delivery's event and an attempt's delivery were each checked by a query per row that
            // also locked the referenced row (a WAL record each), about half of what webhooks cost the database at 1M claims.
            // Every delivery is written by the statement that writes its event (the status fan-out) or by the events' trigger
            // in the event's transaction, and every attempt by the recording statement only for a delivery it has just
            // updated (and so locked), so neither can point at nothing; deletes still cascade, by statement triggers (one
            // DELETE per statement, found through the indexes by = ANY). The EF model keeps both relationships (navigation
            // and joins); only the database's checks go. The subscription foreign keys stay: they are cheap (a few rows,
            // locked once per transaction) and a subscription's delete is what most often removes deliveries.
            migrationBuilder.Sql("""
                ALTER TABLE webhook_deliveries DROP CONSTRAINT fk_webhook_deliveries_webhook_events_event_id;
                ALTER TABLE webhook_attempts DROP CONSTRAINT fk_webhook_attempts_webhook_deliveries_delivery_id;
                CREATE FUNCTION webhook_events_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM webhook_deliveries WHERE event_id = ANY (ARRAY(SELECT id FROM deleted));
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_events_cascade AFTER DELETE ON webhook_events REFERENCING OLD TABLE AS deleted
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_cascade();
                CREATE FUNCTION webhook_deliveries_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM webhook_attempts WHERE delivery_id = ANY (ARRAY(SELECT id FROM deleted));
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_deliveries_cascade AFTER DELETE ON webhook_deliveries REFERENCING OLD TABLE AS deleted
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_cascade();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_deliveries_cascade ON webhook_deliveries;
                DROP FUNCTION webhook_deliveries_cascade();
                DROP TRIGGER webhook_events_cascade ON webhook_events;
                DROP FUNCTION webhook_events_cascade();
                DELETE FROM webhook_attempts a WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = a.delivery_id);
                DELETE FROM webhook_deliveries d WHERE NOT EXISTS (SELECT 1 FROM webhook_events e WHERE e.id = d.event_id);
                ALTER TABLE webhook_deliveries ADD CONSTRAINT fk_webhook_deliveries_webhook_events_event_id
                    FOREIGN KEY (event_id) REFERENCES webhook_events (id) ON DELETE CASCADE;
                ALTER TABLE webhook_attempts ADD CONSTRAINT fk_webhook_attempts_webhook_deliveries_delivery_id
                    FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE;
                """);
        }
    }
}
