using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// Claim matching (docs/decisions/012-claim-matching.md): pg_trgm and unaccent, a folding function usable in indexes,
    /// trigram (GiST, for nearest-neighbour search) indexes on the texts a claim is matched by (the statement, its Italian
    /// statement, its quotes), and the lexeme overlap of two texts in one language.
    /// </summary>
    public partial class ClaimMatching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:hstore", ",,")
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,")
                .Annotation("Npgsql:PostgresExtension:unaccent", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:hstore", ",,");

            migrationBuilder.Sql("""
                -- unaccent() is only STABLE (its dictionary could change); this fixed use of it is what an index needs.
                CREATE FUNCTION claimtracker_fold(text) RETURNS text
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

                -- The text-search configuration for a BCP 47 tag: stemming where PostgreSQL has it, else as-is.
                CREATE FUNCTION claimtracker_text_config(text) RETURNS regconfig
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN CASE split_part(lower($1), '-', 1)
                        WHEN 'en' THEN 'english' WHEN 'it' THEN 'italian' WHEN 'fr' THEN 'french' WHEN 'de' THEN 'german'
                        WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' WHEN 'nl' THEN 'dutch'
                        ELSE 'simple' END::regconfig;

                -- Dice coefficient of two texts' lexemes (stemmed, stop words out) in one configuration: 1 = same words.
                CREATE FUNCTION claimtracker_lexeme_overlap(config regconfig, a text, b text) RETURNS double precision
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN (SELECT CASE WHEN cardinality(x) + cardinality(y) = 0 THEN 0
                                        ELSE 2.0 * cardinality(ARRAY(SELECT unnest(x) INTERSECT SELECT unnest(y)))
                                             / (cardinality(x) + cardinality(y)) END
                            FROM (SELECT tsvector_to_array(to_tsvector(config, a)) AS x,
                                         tsvector_to_array(to_tsvector(config, b)) AS y) AS lexemes);

                CREATE INDEX ix_claims_statement_trigrams ON claims USING gist (claimtracker_fold(statement) gist_trgm_ops);
                CREATE INDEX ix_claims_italian_trigrams ON claims USING gist (claimtracker_fold(translations -> 'it') gist_trgm_ops)
                    WHERE translations ? 'it';
                CREATE INDEX ix_appearances_quote_trigrams ON appearances USING gist (claimtracker_fold(quote_exact) gist_trgm_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_appearances_quote_trigrams;
                DROP INDEX IF EXISTS ix_claims_italian_trigrams;
                DROP INDEX IF EXISTS ix_claims_statement_trigrams;
                DROP FUNCTION IF EXISTS claimtracker_lexeme_overlap(regconfig, text, text);
                DROP FUNCTION IF EXISTS claimtracker_text_config(text);
                DROP FUNCTION IF EXISTS claimtracker_fold(text);
                """);

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:hstore", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:hstore", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:unaccent", ",,");
        }
    }
}
