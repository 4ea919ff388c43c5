using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// A claim's statement in other languages (`translations`, hstore by BCP 47 tag), searched with the rest: the Italian
    /// one stemmed as Italian and weighted as the English statement, every one also as-is.
    /// </summary>
    public partial class ClaimTranslations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:hstore", ",,");

            migrationBuilder.AddColumn<Dictionary<string, string>>(
                name: "translations",
                table: "claims",
                type: "hstore",
                nullable: false,
                defaultValueSql: "''::hstore");

            // PostgreSQL 15 cannot change a generated column's expression: the column and its index are made again, with
            // the settings earlier migrations gave them (GIN without pending list, statistics target 1000).
            migrationBuilder.Sql("""
                DROP INDEX ix_claims_search_vector;
                ALTER TABLE claims DROP COLUMN search_vector;
                ALTER TABLE claims ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, statement), 'A') || setweight(to_tsvector('italian'::regconfig, coalesce(translations -> 'it', '')), 'A') || setweight(jsonb_to_tsvector('simple'::regconfig, hstore_to_jsonb(translations), '["string"]'), 'B') || setweight(to_tsvector('italian'::regconfig, search_quotes), 'B') || setweight(to_tsvector('simple'::regconfig, search_quotes), 'C') || setweight(to_tsvector('simple'::regconfig, search_names), 'B')) STORED;
                ALTER TABLE claims ALTER COLUMN search_vector SET STATISTICS 1000;
                CREATE INDEX ix_claims_search_vector ON claims USING gin (search_vector) WITH (fastupdate = false);
                ANALYZE claims (search_vector);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // PostgreSQL 15 cannot change a generated column's expression: the column and its index are made again, with
            // the settings earlier migrations gave them (GIN without pending list, statistics target 1000).
            migrationBuilder.Sql("""
                DROP INDEX ix_claims_search_vector;
                ALTER TABLE claims DROP COLUMN search_vector;
                ALTER TABLE claims ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, statement), 'A') || setweight(to_tsvector('italian'::regconfig, search_quotes), 'B') || setweight(to_tsvector('simple'::regconfig, search_quotes), 'C') || setweight(to_tsvector('simple'::regconfig, search_names), 'B')) STORED;
                ALTER TABLE claims ALTER COLUMN search_vector SET STATISTICS 1000;
                CREATE INDEX ix_claims_search_vector ON claims USING gin (search_vector) WITH (fastupdate = false);
                ANALYZE claims (search_vector);
                """);

            migrationBuilder.DropColumn(
                name: "translations",
                table: "claims");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:PostgresExtension:hstore", ",,");
        }
    }
}
