using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "entities",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    aliases = table.Column<List<string>>(type: "text[]", nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_entities", x => x.id);
                    table.CheckConstraint("ck_entities_kind", "kind IN ('organization', 'person', 'government', 'court', 'product', 'place')");
                });

            migrationBuilder.CreateTable(
                name: "sources",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    publisher = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    author = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    language = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: true),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    anonymous = table.Column<bool>(type: "boolean", nullable: false),
                    reliability = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    content = table.Column<string>(type: "character varying(500000)", maxLength: 500000, nullable: true),
                    content_sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sources", x => x.id);
                    table.CheckConstraint("ck_sources_kind", "kind IN ('article', 'report', 'statement', 'ruling', 'filing', 'social_post', 'dataset', 'other')");
                    table.CheckConstraint("ck_sources_reliability", "reliability IN ('unrated', 'credible', 'mixed', 'not_credible')");
                });

            migrationBuilder.CreateTable(
                name: "claims",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    statement = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    claimant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    part_of_id = table.Column<Guid>(type: "uuid", nullable: true),
                    quantity_amount = table.Column<decimal>(type: "numeric", nullable: true),
                    quantity_lower_bound = table.Column<decimal>(type: "numeric", nullable: true),
                    quantity_upper_bound = table.Column<decimal>(type: "numeric", nullable: true),
                    quantity_unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    quantity_approximate = table.Column<bool>(type: "boolean", nullable: true),
                    quantity_period = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    quantity_scope = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    occurred_on = table.Column<DateOnly>(type: "date", nullable: true),
                    date_precision = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    status_changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_claims", x => x.id);
                    table.CheckConstraint("ck_claims_date_precision", "date_precision IN ('day', 'month', 'year')");
                    table.CheckConstraint("ck_claims_kind", "kind IN ('quantity', 'event', 'assertion')");
                    table.CheckConstraint("ck_claims_status", "status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')");
                    table.ForeignKey(
                        name: "fk_claims_claims_part_of_id",
                        column: x => x.part_of_id,
                        principalTable: "claims",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_claims_entities_claimant_id",
                        column: x => x.claimant_id,
                        principalTable: "entities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_claims_entities_subject_id",
                        column: x => x.subject_id,
                        principalTable: "entities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "source_revisions",
                columns: table => new
                {
                    source_id = table.Column<Guid>(type: "uuid", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    content = table.Column<string>(type: "character varying(500000)", maxLength: 500000, nullable: true),
                    content_sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_source_revisions", x => new { x.source_id, x.revision });
                    table.ForeignKey(
                        name: "fk_source_revisions_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "appearances",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    claim_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stance = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    quote_exact = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    quote_prefix = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    quote_suffix = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    quote_start = table.Column<int>(type: "integer", nullable: true),
                    quote_end = table.Column<int>(type: "integer", nullable: true),
                    quote_anchor = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appearances", x => x.id);
                    table.CheckConstraint("ck_appearances_anchored_offsets", "quote_anchor <> 'anchored' OR (quote_start IS NOT NULL AND quote_end >= quote_start)");
                    table.CheckConstraint("ck_appearances_quote_anchor", "quote_anchor IN ('anchored', 'orphaned', 'unanchored')");
                    table.CheckConstraint("ck_appearances_stance", "stance IN ('asserts', 'reports', 'supports', 'disputes', 'denies', 'retracts')");
                    table.ForeignKey(
                        name: "fk_appearances_claims_claim_id",
                        column: x => x.claim_id,
                        principalTable: "claims",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appearances_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "status_changes",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    claim_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    to_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    evidence_appearance_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    evidence_source_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    prev_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_status_changes", x => x.seq);
                    table.CheckConstraint("ck_status_changes_from_status", "from_status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')");
                    table.CheckConstraint("ck_status_changes_to_status", "to_status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')");
                    table.ForeignKey(
                        name: "fk_status_changes_claims_claim_id",
                        column: x => x.claim_id,
                        principalTable: "claims",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appearances_claim_id_created_at",
                table: "appearances",
                columns: new[] { "claim_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appearances_source_id",
                table: "appearances",
                column: "source_id");

            migrationBuilder.CreateIndex(
                name: "ix_claims_claimant_id_updated_at_id",
                table: "claims",
                columns: new[] { "claimant_id", "updated_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_claims_occurred_on_id",
                table: "claims",
                columns: new[] { "occurred_on", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_claims_part_of_id",
                table: "claims",
                column: "part_of_id");

            migrationBuilder.CreateIndex(
                name: "ix_claims_slug",
                table: "claims",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_claims_status_updated_at_id",
                table: "claims",
                columns: new[] { "status", "updated_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_claims_subject_id_updated_at_id",
                table: "claims",
                columns: new[] { "subject_id", "updated_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_claims_tags",
                table: "claims",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_claims_updated_at_id",
                table: "claims",
                columns: new[] { "updated_at", "id" },
                descending: new bool[0]);

            migrationBuilder.CreateIndex(
                name: "ix_entities_aliases",
                table: "entities",
                column: "aliases")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_entities_slug",
                table: "entities",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sources_created_at_id",
                table: "sources",
                columns: new[] { "created_at", "id" },
                descending: new bool[0]);

            migrationBuilder.CreateIndex(
                name: "ix_sources_url",
                table: "sources",
                column: "url",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_status_changes_claim_id_seq",
                table: "status_changes",
                columns: new[] { "claim_id", "seq" });

            // The status history is append-only, enforced by the database itself: no UPDATE, DELETE or TRUNCATE.
            migrationBuilder.Sql("""
                CREATE FUNCTION status_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'status_changes is append-only: % is not allowed', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END
                $$;
                CREATE TRIGGER status_changes_no_update_or_delete
                    BEFORE UPDATE OR DELETE ON status_changes
                    FOR EACH ROW EXECUTE FUNCTION status_changes_append_only();
                CREATE TRIGGER status_changes_no_truncate
                    BEFORE TRUNCATE ON status_changes
                    FOR EACH STATEMENT EXECUTE FUNCTION status_changes_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS status_changes_no_truncate ON status_changes;
                DROP TRIGGER IF EXISTS status_changes_no_update_or_delete ON status_changes;
                DROP FUNCTION IF EXISTS status_changes_append_only();
                """);

            migrationBuilder.DropTable(
                name: "appearances");

            migrationBuilder.DropTable(
                name: "source_revisions");

            migrationBuilder.DropTable(
                name: "status_changes");

            migrationBuilder.DropTable(
                name: "sources");

            migrationBuilder.DropTable(
                name: "claims");

            migrationBuilder.DropTable(
                name: "entities");
        }
    }
}
