using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// The matcher asks which tracked entities hold a word starting like one of a text's names. It folded every entity's
    /// name and aliases and ran the regular expression over all of them: 15-19 ms of the 26 ms a match took at 1M claims
    /// (5,000 entities; tests/ClaimTracker.Benchmarks/results/tuning.md, M2). Now the folded words are a stored column
    /// with a trigram index that answers the expression (about 0.6 ms), and a name word too short for trigrams ("Xi",
    /// "US") scans the stored column instead of folding every row again.
    /// </summary>
    public partial class EntityNameWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // array_to_string is only STABLE (it could format any element type); on text[] it is as fixed as an index needs.
            migrationBuilder.Sql("""
                CREATE FUNCTION claimtracker_entity_words(name text, aliases text[]) RETURNS text
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN claimtracker_fold(name || ' ' || array_to_string(aliases, ' '));
                """);

            migrationBuilder.AddColumn<string>(
                name: "name_words",
                table: "entities",
                type: "text",
                nullable: true,
                computedColumnSql: "claimtracker_entity_words(name, aliases)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_entities_name_words",
                table: "entities",
                column: "name_words")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_entities_name_words",
                table: "entities");

            migrationBuilder.DropColumn(
                name: "name_words",
                table: "entities");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS claimtracker_entity_words(text, text[]);");
        }
    }
}
