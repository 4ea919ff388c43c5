-- The floor: the status UPDATE and its COMMIT alone, no chain (no lock, no history row).
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
COMMIT;
