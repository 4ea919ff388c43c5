-- What the options of docs/decisions/009 would add to the schema, for the scripts that model them.

-- (b) The locked section in one statement: lock, read the chain's head, insert the next row, in one round trip.
-- A plpgsql function and not one INSERT … SELECT: at READ COMMITTED a statement's snapshot is taken before the lock it
-- waits for, so a single `WITH l AS (SELECT pg_advisory_xact_lock(…)) INSERT … SELECT … ORDER BY seq DESC LIMIT 1`
-- would read the head as it was before the previous holder committed, and collide on seq. Inside a VOLATILE function
-- each statement takes a new snapshot, so the SELECT after PERFORM sees the previous holder's row.
CREATE FUNCTION append_status_change(p_claim_id uuid, p_from text, p_to text, p_reason text, p_actor text,
                                     p_at timestamptz) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(18977989076014194); -- DatabaseLocks.ChainKey
    SELECT seq, hash INTO last_seq, last_hash FROM status_changes ORDER BY seq DESC LIMIT 1;
    last_seq := coalesce(last_seq, 0);
    last_hash := coalesce(last_hash, repeat('0', 64));
    INSERT INTO status_changes (seq, claim_id, from_status, to_status, reason, evidence_appearance_ids,
                                evidence_source_ids, actor, at, prev_hash, hash)
    VALUES (last_seq + 1, p_claim_id, p_from, p_to, p_reason, '{}', '{}', p_actor, p_at, last_hash,
            chain_hash(last_hash, last_seq + 1, p_claim_id, p_from, p_to, p_reason, p_actor, p_at));
    RETURN last_seq + 1;
END
$$;

-- (c) A batched chain writer: a status change commits its claim and a pending row, without the chain lock; one writer
-- links up to max_rows pending rows per transaction into status_changes (which stays append-only: pending rows live in
-- their own table and are deleted once linked). Pending rows are linked in id order; a claim's later change always has
-- a higher id and commits after its earlier one (it waited for the claim's row lock), so per-claim order is kept.
CREATE TABLE status_changes_pending (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id uuid NOT NULL REFERENCES claims (id),
    from_status character varying(32) NOT NULL,
    to_status character varying(32) NOT NULL,
    reason character varying(2000) NOT NULL,
    actor character varying(200) NOT NULL,
    at timestamp with time zone NOT NULL
);

CREATE FUNCTION link_pending(max_rows integer) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_seq bigint;
    last_hash text;
    r record;
    linked integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(18977989076014194);
    SELECT seq, hash INTO last_seq, last_hash FROM status_changes ORDER BY seq DESC LIMIT 1;
    FOR r IN
        WITH taken AS (
            DELETE FROM status_changes_pending
            WHERE id IN (SELECT id FROM status_changes_pending ORDER BY id LIMIT max_rows)
            RETURNING *)
        SELECT * FROM taken ORDER BY id
    LOOP
        last_seq := last_seq + 1;
        INSERT INTO status_changes (seq, claim_id, from_status, to_status, reason, evidence_appearance_ids,
                                    evidence_source_ids, actor, at, prev_hash, hash)
        VALUES (last_seq, r.claim_id, r.from_status, r.to_status, r.reason, '{}', '{}', r.actor, r.at, last_hash,
                chain_hash(last_hash, last_seq, r.claim_id, r.from_status, r.to_status, r.reason, r.actor, r.at))
        RETURNING hash INTO last_hash;
        linked := linked + 1;
    END LOOP;
    RETURN linked;
END
$$;
