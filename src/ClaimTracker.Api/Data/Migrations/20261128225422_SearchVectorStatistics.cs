using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// Lets the planner tell a rare search word from a common one. For a tsvector column ANALYZE keeps the most common
    /// lexemes (ten per point of statistics target: 1,000 by default, 10,000 here) and estimates any other lexeme below the
    /// least common one it kept. With 10,000 the estimate for a name such as "zanardelli" falls from ~1% of the claims to
    /// a few rows, so the planner reads its matches from the GIN index, and still walks the (updated_at, id) index for a
    /// word in every other claim. See docs/decisions/005-full-text-search.md.
    /// </summary>
    public partial class SearchVectorStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE claims ALTER COLUMN search_vector SET STATISTICS 1000;
                ANALYZE claims (search_vector);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE claims ALTER COLUMN search_vector SET STATISTICS -1;");
        }
    }
}
