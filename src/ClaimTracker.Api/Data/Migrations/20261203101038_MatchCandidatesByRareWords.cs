using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <summary>
    /// Candidates for claim matching in a third of the time (docs/decisions/012-claim-matching.md, "Finding candidates at
    /// scale"; tests/ClaimTracker.Benchmarks/results/tuning.md, M2): the claims that hold the text's rare words, ranked by
    /// how rare the words they share are, instead of every such claim ranked by `ts_rank_cd` (two thirds of the cost at 1M
    /// claims); and the common words read from a table the API refreshes from the statistics, instead of from `pg_stats`
    /// on every request (a further fifth).
    /// </summary>
    public partial class MatchCandidatesByRareWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS claimtracker_match_query(text);

                -- The lexemes that more than 500 claims hold: too common to tell a claim apart. A copy of search_vector's
                -- statistics (its most common elements and their frequencies, times the table's rows), made by
                -- claimtracker_refresh_common_lexemes(). Empty (no statistics yet, or a small database): every word counts.
                CREATE TABLE match_common_lexemes (lexeme text PRIMARY KEY);

                -- Brings match_common_lexemes up to the current statistics; returns how many lexemes came or went. Safe to
                -- run at once from several instances (the same rows are deleted and inserted; conflicts are no-ops).
                CREATE FUNCTION claimtracker_refresh_common_lexemes() RETURNS bigint
                    LANGUAGE sql VOLATILE
                AS $$
                    WITH fresh AS (
                        SELECT DISTINCT e.lexeme
                        FROM pg_stats s,
                             unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, frequency)
                        WHERE s.schemaname = current_schema() AND s.tablename = 'claims' AND s.attname = 'search_vector'
                          AND e.lexeme IS NOT NULL AND e.lexeme <> ''
                          AND e.frequency * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'claims'::regclass) > 500
                    ),
                    gone AS (
                        DELETE FROM match_common_lexemes m WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.lexeme = m.lexeme)
                        RETURNING 1
                    ),
                    added AS (
                        INSERT INTO match_common_lexemes (lexeme) SELECT lexeme FROM fresh ON CONFLICT DO NOTHING RETURNING 1
                    )
                    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM added)
                $$;
                SELECT claimtracker_refresh_common_lexemes();

                -- The claims a text may state, best first, at most `wanted`. The text's lexemes (English, Italian and as
                -- written, as search_vector holds them; the as-written reading's stop words left out) less the common ones
                -- are its rare words; each rare word's claims are found in the search index, and a claim scores the sum of
                -- its shared words' inverse document frequencies, ln(1 + claims / claims holding the word): "zadagan" held
                -- by 183 claims counts for more than "set" held by 451. Nothing reads the claims' search vectors, so a
                -- thousand claims sharing some rare word cost a bitmap heap scan, not a thousand ts_rank_cd calls. A text
                -- of common words only asks for claims holding all of them, ranked by ts_rank_cd.
                -- The statistics lag behind the writes (autovacuum re-analyses now and then; the copy is refreshed every few
                -- minutes): a word that hundreds of new claims share since is still "rare" to them. So each word's look-up
                -- stops at 501 claims, and a word found in more than 500 is left out like a common one: a match never reads
                -- more than 501 claims per word, however stale the statistics. Were every rare word left out so, the text
                -- is treated as one of common words.
                -- PL/pgSQL, so that each query is planned on its own: inlined, a lateral index scan per word is estimated at
                -- 5,000 rows, which sets off JIT compilation for a query of a few milliseconds; with the LIMIT, that estimate
                -- could make a sequential scan look cheaper than the index (it never is here: enable_seqscan off).
                CREATE FUNCTION claimtracker_match_candidates(input text, wanted integer) RETURNS SETOF uuid
                    LANGUAGE plpgsql STABLE PARALLEL SAFE STRICT ROWS 40
                    SET jit = off SET enable_seqscan = off
                AS $$
                DECLARE
                    rare text[];
                    every text[];
                BEGIN
                    SELECT array_agg(w.lexeme) FILTER (WHERE m.lexeme IS NULL), array_agg(w.lexeme)
                    INTO rare, every
                    FROM (SELECT DISTINCT x AS lexeme
                          FROM unnest(tsvector_to_array(to_tsvector('english', input) || to_tsvector('italian', input)
                                                        || to_tsvector('simple', input))) AS x
                          WHERE length(to_tsvector('english', x)) > 0 AND length(to_tsvector('italian', x)) > 0) AS w
                    LEFT JOIN match_common_lexemes m ON m.lexeme = w.lexeme;

                    IF rare IS NOT NULL THEN
                        RETURN QUERY
                            SELECT h.id
                            FROM (SELECT c.id, count(*) OVER (PARTITION BY r.lexeme) AS holders
                                  FROM unnest(rare) AS r(lexeme)
                                  CROSS JOIN LATERAL (SELECT k.id FROM claims k
                                                      WHERE k.search_vector @@ to_tsquery('simple', quote_literal(r.lexeme))
                                                      LIMIT 501) AS c) AS h
                            WHERE h.holders <= 500
                            GROUP BY h.id
                            ORDER BY sum(ln(1 + (SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'claims'::regclass)::float8
                                                / h.holders)) DESC, h.id
                            LIMIT wanted;
                        IF FOUND THEN
                            RETURN;
                        END IF;
                    END IF;
                    IF every IS NOT NULL THEN
                        RETURN QUERY
                            SELECT k.id
                            FROM claims k, to_tsquery('simple', array_to_string(
                                (SELECT array_agg(quote_literal(e)) FROM unnest(every) AS e), ' & ')) AS q
                            WHERE k.search_vector @@ q
                            ORDER BY ts_rank_cd(k.search_vector, q) DESC, k.id
                            LIMIT wanted;
                    END IF;
                END
                $$;

                -- Dice coefficient of a text's lexemes and the request's, both in the text's configuration: 1 = same words.
                -- The request's side is computed once per configuration by the caller, not once per text.
                DROP FUNCTION IF EXISTS claimtracker_lexeme_overlap(regconfig, text, text);
                CREATE FUNCTION claimtracker_lexeme_overlap(theirs tsvector, ours text[]) RETURNS double precision
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN CASE WHEN length(theirs) + cardinality(ours) = 0 THEN 0
                                ELSE 2.0 * (length(theirs) - length(ts_delete(theirs, ours))) / (length(theirs) + cardinality(ours)) END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS claimtracker_match_candidates(text, integer);
                DROP FUNCTION IF EXISTS claimtracker_refresh_common_lexemes();
                DROP TABLE IF EXISTS match_common_lexemes;
                DROP FUNCTION IF EXISTS claimtracker_lexeme_overlap(tsvector, text[]);

                CREATE FUNCTION claimtracker_lexeme_overlap(config regconfig, a text, b text) RETURNS double precision
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN (SELECT CASE WHEN cardinality(x) + cardinality(y) = 0 THEN 0
                                        ELSE 2.0 * cardinality(ARRAY(SELECT unnest(x) INTERSECT SELECT unnest(y)))
                                             / (cardinality(x) + cardinality(y)) END
                            FROM (SELECT tsvector_to_array(to_tsvector(config, a)) AS x,
                                         tsvector_to_array(to_tsvector(config, b)) AS y) AS lexemes);

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
    }
}
