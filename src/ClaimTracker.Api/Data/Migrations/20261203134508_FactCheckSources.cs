using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class FactCheckSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_sources_kind",
                table: "sources");

            migrationBuilder.AddCheckConstraint(
                name: "ck_sources_kind",
                table: "sources",
                sql: "kind IN ('article', 'report', 'statement', 'ruling', 'filing', 'social_post', 'dataset', 'other', 'fact_check')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_sources_kind",
                table: "sources");

            migrationBuilder.AddCheckConstraint(
                name: "ck_sources_kind",
                table: "sources",
                sql: "kind IN ('article', 'report', 'statement', 'ruling', 'filing', 'social_post', 'dataset', 'other')");
        }
    }
}
