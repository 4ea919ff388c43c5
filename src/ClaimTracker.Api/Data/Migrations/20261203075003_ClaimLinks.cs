using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>Links between claims: suggested by the matcher at create time, confirmed or rejected by editors.</summary>
    public partial class ClaimLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "claim_links",
                columns: table => new
                {
                    claim_id = table.Column<Guid>(type: "uuid", nullable: false),
                    other_id = table.Column<Guid>(type: "uuid", nullable: false),
                    relation = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    decided_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_claim_links", x => new { x.claim_id, x.other_id });
                    table.CheckConstraint("ck_claim_links_not_self", "claim_id <> other_id");
                    table.CheckConstraint("ck_claim_links_relation", "relation IN ('duplicate', 'related')");
                    table.CheckConstraint("ck_claim_links_state", "state IN ('suggested', 'confirmed', 'rejected')");
                    table.ForeignKey(
                        name: "fk_claim_links_claims_claim_id",
                        column: x => x.claim_id,
                        principalTable: "claims",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_claim_links_claims_other_id",
                        column: x => x.other_id,
                        principalTable: "claims",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_claim_links_other_id",
                table: "claim_links",
                column: "other_id");

            // One link per pair of claims, whichever way round it was recorded.
            migrationBuilder.Sql(
                "CREATE UNIQUE INDEX ux_claim_links_pair ON claim_links (LEAST(claim_id, other_id), GREATEST(claim_id, other_id));");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "claim_links");
        }
    }
}
