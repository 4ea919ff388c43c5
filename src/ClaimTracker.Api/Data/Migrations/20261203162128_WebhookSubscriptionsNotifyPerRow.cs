using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookSubscriptionsNotifyPerRow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Per row: a statement trigger fired for the delivery worker's every recording too (its UPDATE of a 410's
            // subscription runs, on no row, in each batch), waking every instance's fan-out and claim loop for nothing.
            // One notification per transaction still (PostgreSQL folds identical ones).
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_subscriptions_notify ON webhook_subscriptions;
                CREATE TRIGGER webhook_subscriptions_notify AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions
                    FOR EACH ROW EXECUTE FUNCTION webhook_subscriptions_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_subscriptions_notify ON webhook_subscriptions;
                CREATE TRIGGER webhook_subscriptions_notify AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_subscriptions_notify();
                """);
        }
    }
}
