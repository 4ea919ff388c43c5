using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// The claims' GIN indexes (search document, tags) without a pending list: every write goes straight into the index,
    /// so no write stalls merging a list that others filled (see ClaimConfiguration). The model's storage parameter,
    /// applied in place: EF Core would drop and rebuild both indexes, minutes of blocked writes on a large table.
    /// </summary>
    public partial class GinIndexesWithoutPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // What is already pending is merged now; with fastupdate off nothing is added to it again.
            migrationBuilder.Sql("""
                ALTER INDEX ix_claims_search_vector SET (fastupdate = false);
                ALTER INDEX ix_claims_tags SET (fastupdate = false);
                SELECT gin_clean_pending_list('ix_claims_search_vector'), gin_clean_pending_list('ix_claims_tags');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER INDEX ix_claims_search_vector RESET (fastupdate);
                ALTER INDEX ix_claims_tags RESET (fastupdate);
                """);
        }
    }
}
