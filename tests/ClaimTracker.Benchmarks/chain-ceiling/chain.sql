-- The API today (StatusHistory.WriteAsync): UPDATE, then under the chain lock three round trips (lock, read the
-- head, INSERT) and the COMMIT, whose WAL flush also happens with the lock held. pgbench sends each statement separately,
-- as EF Core does; the hash is computed in SQL here (chain_hash) and in C# by the API, between the read and the INSERT.
-- The API reads the claim (id, status, xmin = the ETag) before its transaction; the client sends that ETag back.
\set n random(1, :claims)
SELECT id AS claim_id, status AS from_status, xmin AS version FROM claims WHERE id = claim_uuid(:n::integer) \gset
BEGIN;
-- StatusHistory.WriteAsync, step 1: the ETag-guarded UPDATE, before the chain lock (0 rows = 412, nothing written).
WITH u AS (
    UPDATE claims SET status = next_status(:from_status::text), status_reason = 'Benchmark: status round trip.',
                      status_changed_at = now(), updated_at = now()
    WHERE id = :claim_id::uuid AND xmin = :version::xid
    RETURNING 1)
SELECT count(*) AS updated FROM u \gset
\if :updated
SELECT pg_advisory_xact_lock(18977989076014194);
SELECT seq AS last_seq, hash AS last_hash FROM status_changes ORDER BY seq DESC LIMIT 1 \gset
INSERT INTO status_changes (seq, claim_id, from_status, to_status, reason, evidence_appearance_ids, evidence_source_ids,
                            actor, at, prev_hash, hash)
VALUES (:last_seq::bigint + 1, :claim_id::uuid, :from_status::text, next_status(:from_status::text),
        'Benchmark: status round trip.', '{}', '{}', 'bench-editor', now(), :last_hash::text,
        chain_hash(:last_hash::text, :last_seq::bigint + 1, :claim_id::uuid, :from_status::text,
                   next_status(:from_status::text), 'Benchmark: status round trip.', 'bench-editor', now()));
COMMIT;
\else
ROLLBACK;
\endif
