using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>A claim is a confirmed duplicate of one claim at most: the one its detail names in `duplicateOf`.</summary>
    public partial class OneConfirmedDuplicatePerClaim : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE UNIQUE INDEX ux_claim_links_confirmed_duplicate ON claim_links (claim_id) " +
                "WHERE relation = 'duplicate' AND state = 'confirmed';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ux_claim_links_confirmed_duplicate;");
        }
    }
}
