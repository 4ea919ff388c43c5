using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// Claim matching finds its candidates in the full-text index the claims already have, by the text's rarer words
    /// (docs/decisions/012-claim-matching.md, "Finding candidates at scale"), instead of by trigram nearest neighbours,
    /// which read their whole index at 1M claims (tests/ClaimTracker.Benchmarks/results/tuning.md, M1). The trigram
    /// indexes go: nothing reads them, and every write paid for them.
    /// </summary>
    public partial class MatchCandidatesFromSearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_appearances_quote_trigrams;
                DROP INDEX IF EXISTS ix_claims_italian_trigrams;
                DROP INDEX IF EXISTS ix_claims_statement_trigrams;

                -- The text's lexemes (English, Italian and as-is, as search_vector holds them) OR-ed, leaving out those that
                -- more than 500 claims hold (the planner's own statistics of search_vector: its most common elements and
                -- their frequencies, times the table's rows), so that the index returns the few claims sharing a text's
                -- distinctive words, not every claim with "billion". A text with no such word asks for all its words at
                -- once. A small database, or one without statistics yet, has no common words: every word counts.
                CREATE FUNCTION claimtracker_match_query(input text) RETURNS tsquery
                    LANGUAGE sql STABLE PARALLEL SAFE STRICT
                AS $$
                    WITH lexemes AS (
                        SELECT DISTINCT lexeme
                        FROM unnest(tsvector_to_array(to_tsvector('english', input) || to_tsvector('italian', input)
                                                      || to_tsvector('simple', input))) AS lexeme
                        -- The as-written reading keeps stop words ("the", "di"): neither language's stemmer keeps them.
                        WHERE length(to_tsvector('english', lexeme)) > 0 AND length(to_tsvector('italian', lexeme)) > 0
                    ),
                    common AS (
                        SELECT e.lexeme
                        FROM pg_stats s,
                             unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, frequency)
                        WHERE s.schemaname = current_schema() AND s.tablename = 'claims' AND s.attname = 'search_vector'
                          AND e.lexeme IS NOT NULL
                          AND e.frequency * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'claims'::regclass) > 500
                    ),
                    rare AS (SELECT lexeme FROM lexemes WHERE lexeme NOT IN (SELECT lexeme FROM common))
                    SELECT CASE WHEN EXISTS (SELECT 1 FROM rare)
                                THEN (SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')) FROM rare)
                                ELSE (SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' & ')) FROM lexemes) END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS claimtracker_match_query(text);
                CREATE INDEX ix_claims_statement_trigrams ON claims USING gist (claimtracker_fold(statement) gist_trgm_ops);
                CREATE INDEX ix_claims_italian_trigrams ON claims USING gist (claimtracker_fold(translations -> 'it') gist_trgm_ops)
                    WHERE translations ? 'it';
                CREATE INDEX ix_appearances_quote_trigrams ON appearances USING gist (claimtracker_fold(quote_exact) gist_trgm_ops);
                """);
        }
    }
}
