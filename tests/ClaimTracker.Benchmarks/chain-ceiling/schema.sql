-- The two tables a status change writes, as the EF migrations create them
-- (src/ClaimTracker.Api/Data/Migrations/: InitialSchema, SearchAndChangeNotifications, GinIndexesWithoutPendingList,
-- StatusChangesAtIndex). Kept: every column of `claims` with its type, the stored search_vector and every index on
-- `claims` (a status UPDATE changes `status` and `updated_at`, both indexed, so it is never HOT and inserts into every
-- index, both GIN indexes included); `status_changes` with its primary key on seq, its foreign key to claims, its two
-- indexes and both triggers (append-only, and the NOTIFY of every new row, which runs inside the chain lock and at commit).
-- Left out: the other tables, the claims' foreign keys to entities (a status UPDATE does not change those columns, so
-- they are not checked) and the triggers that fill search_names/search_quotes (they do not fire on a status UPDATE).

CREATE TABLE claims (
    id uuid NOT NULL,
    slug character varying(100) NOT NULL,
    statement character varying(1000) NOT NULL,
    kind character varying(32) NOT NULL,
    subject_id uuid NOT NULL,
    claimant_id uuid,
    tags text[] NOT NULL,
    part_of_id uuid,
    quantity_amount numeric,
    quantity_lower_bound numeric,
    quantity_upper_bound numeric,
    quantity_unit character varying(32),
    quantity_approximate boolean,
    quantity_period character varying(64),
    quantity_scope character varying(64),
    occurred_on date,
    date_precision character varying(32),
    status character varying(32) NOT NULL,
    status_reason character varying(2000),
    status_changed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    search_quotes text NOT NULL DEFAULT '',
    search_names text NOT NULL DEFAULT '',
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, statement), 'A')
        || setweight(to_tsvector('italian'::regconfig, search_quotes), 'B')
        || setweight(to_tsvector('simple'::regconfig, search_quotes), 'C')
        || setweight(to_tsvector('simple'::regconfig, search_names), 'B')) STORED,
    CONSTRAINT pk_claims PRIMARY KEY (id),
    CONSTRAINT ck_claims_date_precision CHECK (date_precision IN ('day', 'month', 'year')),
    CONSTRAINT ck_claims_kind CHECK (kind IN ('quantity', 'event', 'assertion')),
    CONSTRAINT ck_claims_status CHECK (status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')),
    CONSTRAINT fk_claims_claims_part_of_id FOREIGN KEY (part_of_id) REFERENCES claims (id) ON DELETE RESTRICT
);
CREATE INDEX ix_claims_claimant_id_updated_at_id ON claims (claimant_id, updated_at DESC, id DESC);
CREATE INDEX ix_claims_occurred_on_id ON claims (occurred_on, id);
CREATE INDEX ix_claims_part_of_id ON claims (part_of_id);
CREATE UNIQUE INDEX ix_claims_slug ON claims (slug);
CREATE INDEX ix_claims_status_updated_at_id ON claims (status, updated_at DESC, id DESC);
CREATE INDEX ix_claims_subject_id_updated_at_id ON claims (subject_id, updated_at DESC, id DESC);
CREATE INDEX ix_claims_tags ON claims USING gin (tags) WITH (fastupdate = false);
CREATE INDEX ix_claims_updated_at_id ON claims (updated_at, id);
CREATE INDEX ix_claims_search_vector ON claims USING gin (search_vector) WITH (fastupdate = false);

CREATE TABLE status_changes (
    seq bigint NOT NULL,
    claim_id uuid NOT NULL,
    from_status character varying(32) NOT NULL,
    to_status character varying(32) NOT NULL,
    reason character varying(2000) NOT NULL,
    evidence_appearance_ids uuid[] NOT NULL,
    evidence_source_ids uuid[] NOT NULL,
    actor character varying(200) NOT NULL,
    at timestamp with time zone NOT NULL,
    prev_hash character(64) NOT NULL,
    hash character(64) NOT NULL,
    CONSTRAINT pk_status_changes PRIMARY KEY (seq),
    CONSTRAINT ck_status_changes_from_status CHECK (from_status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')),
    CONSTRAINT ck_status_changes_to_status CHECK (to_status IN ('unverified', 'in_review', 'confirmed', 'disputed', 'inconclusive', 'refuted', 'retracted')),
    CONSTRAINT fk_status_changes_claims_claim_id FOREIGN KEY (claim_id) REFERENCES claims (id) ON DELETE RESTRICT
);
CREATE INDEX ix_status_changes_claim_id_seq ON status_changes (claim_id, seq);
CREATE INDEX ix_status_changes_at ON status_changes (at);

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

CREATE FUNCTION status_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('claimtracker_changes', NEW.seq::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER status_changes_notify AFTER INSERT ON status_changes
    FOR EACH ROW EXECUTE FUNCTION status_changes_notify();

-- Helpers of the benchmark (not in the API's schema).

-- Claim number n (1..N) as a uuid, so that a pgbench script can pick a random claim by number.
CREATE FUNCTION claim_uuid(n integer) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
$$;

-- A status other than the current one, so that every change is a real change (the API writes no history otherwise).
CREATE FUNCTION next_status(current text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN current = 'in_review' THEN 'unverified' ELSE 'in_review' END
$$;

-- SHA-256(prevHash as ASCII hex || a JSON array of the row), as HashChain.ComputeHash does. The same cost, not the same
-- bytes: PostgreSQL's json text is not System.Text.Json's (spacing), so these hashes do not verify with the API's checker.
CREATE FUNCTION chain_hash(prev_hash text, seq bigint, claim_id uuid, from_status text, to_status text, reason text,
                           actor text, at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(prev_hash || json_build_array(seq, claim_id, from_status, to_status, reason,
        '[]'::json, '[]'::json, actor, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'UTF8')), 'hex')
$$;
