using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace ClaimTracker.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class SearchAndChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The search document's inputs from other tables, kept current by triggers (a generated column can only
            // read its own row): every quote of the claim, and the names, aliases and tags around it.
            migrationBuilder.Sql("""
                ALTER TABLE claims ADD search_quotes text NOT NULL DEFAULT '';
                ALTER TABLE claims ADD search_names text NOT NULL DEFAULT '';

                CREATE FUNCTION claim_search_names(subject uuid, claimant uuid, tags text[]) RETURNS text
                LANGUAGE sql STABLE AS $$
                    SELECT concat_ws(' ',
                        (SELECT string_agg(concat_ws(' ', e.name, e.slug, array_to_string(e.aliases, ' ')), ' ')
                           FROM entities e WHERE e.id = subject OR e.id = claimant),
                        array_to_string(tags, ' '))
                $$;

                CREATE FUNCTION claims_search_names_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_names := claim_search_names(NEW.subject_id, NEW.claimant_id, NEW.tags);
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER claims_search_names
                    BEFORE INSERT OR UPDATE OF subject_id, claimant_id, tags ON claims
                    FOR EACH ROW EXECUTE FUNCTION claims_search_names_trigger();

                CREATE FUNCTION appearances_search_quotes_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    -- Only claims whose quotes really changed get a new row version (and so a new ETag).
                    UPDATE claims c SET search_quotes = q.quotes
                    FROM (SELECT ch.claim_id, coalesce((SELECT string_agg(a.quote_exact, ' ' ORDER BY a.created_at, a.id)
                                                        FROM appearances a WHERE a.claim_id = ch.claim_id), '') AS quotes
                          FROM (SELECT DISTINCT claim_id FROM changed_rows) ch) q
                    WHERE c.id = q.claim_id AND c.search_quotes IS DISTINCT FROM q.quotes;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER appearances_search_quotes_insert AFTER INSERT ON appearances
                    REFERENCING NEW TABLE AS changed_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION appearances_search_quotes_trigger();
                CREATE TRIGGER appearances_search_quotes_update AFTER UPDATE ON appearances
                    REFERENCING NEW TABLE AS changed_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION appearances_search_quotes_trigger();
                CREATE TRIGGER appearances_search_quotes_delete AFTER DELETE ON appearances
                    REFERENCING OLD TABLE AS changed_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION appearances_search_quotes_trigger();

                CREATE FUNCTION entities_search_names_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE claims c SET search_names = claim_search_names(c.subject_id, c.claimant_id, c.tags)
                    WHERE (c.subject_id IN (SELECT id FROM changed_rows) OR c.claimant_id IN (SELECT id FROM changed_rows))
                      AND c.search_names IS DISTINCT FROM claim_search_names(c.subject_id, c.claimant_id, c.tags);
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER entities_search_names AFTER UPDATE ON entities
                    REFERENCING NEW TABLE AS changed_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION entities_search_names_trigger();

                -- Claims that exist already (the seed) get their documents now.
                UPDATE claims c SET
                    search_names = claim_search_names(c.subject_id, c.claimant_id, c.tags),
                    search_quotes = coalesce((SELECT string_agg(a.quote_exact, ' ' ORDER BY a.created_at, a.id)
                                              FROM appearances a WHERE a.claim_id = c.id), '');
                """);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_vector",
                table: "claims",
                type: "tsvector",
                nullable: false,
                computedColumnSql: "setweight(to_tsvector('english'::regconfig, statement), 'A') || setweight(to_tsvector('italian'::regconfig, search_quotes), 'B') || setweight(to_tsvector('simple'::regconfig, search_quotes), 'C') || setweight(to_tsvector('simple'::regconfig, search_names), 'B')",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_claims_search_vector",
                table: "claims",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "gin");

            // Every committed status change is announced to every API instance (LISTEN claimtracker_changes): the
            // payload is its seq. NOTIFY is delivered at commit, in commit order, and never for a rolled-back row.
            migrationBuilder.Sql("""
                CREATE FUNCTION status_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('claimtracker_changes', NEW.seq::text);
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER status_changes_notify AFTER INSERT ON status_changes
                    FOR EACH ROW EXECUTE FUNCTION status_changes_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS status_changes_notify ON status_changes;
                DROP FUNCTION IF EXISTS status_changes_notify();
                DROP TRIGGER IF EXISTS entities_search_names ON entities;
                DROP FUNCTION IF EXISTS entities_search_names_trigger();
                DROP TRIGGER IF EXISTS appearances_search_quotes_insert ON appearances;
                DROP TRIGGER IF EXISTS appearances_search_quotes_update ON appearances;
                DROP TRIGGER IF EXISTS appearances_search_quotes_delete ON appearances;
                DROP FUNCTION IF EXISTS appearances_search_quotes_trigger();
                DROP TRIGGER IF EXISTS claims_search_names ON claims;
                DROP FUNCTION IF EXISTS claims_search_names_trigger();
                DROP FUNCTION IF EXISTS claim_search_names(uuid, uuid, text[]);
                """);

            migrationBuilder.DropIndex(
                name: "ix_claims_search_vector",
                table: "claims");

            migrationBuilder.DropColumn(
                name: "search_vector",
                table: "claims");

            migrationBuilder.Sql("ALTER TABLE claims DROP COLUMN search_quotes; ALTER TABLE claims DROP COLUMN search_names;");
        }
    }
}
