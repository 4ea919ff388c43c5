-- `claims` claims (psql -v claims=N) with a statement, quotes, names and tags of realistic size (their search_vector is rebuilt by every
-- status UPDATE), then one history row per claim, linked into a valid chain (the API's seed leaves a chain too).
\set ON_ERROR_STOP on
SELECT setseed(0.42) AS seeded \gset
CREATE TEMP TABLE words AS
SELECT string_to_array('minister said unemployment rose percent last year budget deficit schools hospitals police '
    'crime fell record high lowest since taxes spending million billion housing prices council election votes migrants '
    'border energy bills inflation wages pension nurses teachers doctors waiting lists climate emissions target road '
    'rail airport flood farmers exports imports trade deal growth recession interest rates', ' ') AS w;

INSERT INTO claims (id, slug, statement, kind, subject_id, claimant_id, tags, status, status_reason, status_changed_at,
                    created_at, updated_at, search_quotes, search_names)
SELECT claim_uuid(n),
       'claim-' || n,
       (SELECT string_agg(w[1 + (floor(random() * array_length(w, 1)))::int + 0 * g], ' ') FROM generate_series(1, 18 + n % 7) AS g),
       (ARRAY['quantity', 'event', 'assertion'])[1 + n % 3],
       gen_random_uuid(), gen_random_uuid(),
       ARRAY['politics', 'tag-' || (n % 50), 'region-' || (n % 12)],
       'unverified', NULL, NULL,
       now() - interval '30 days', now() - interval '30 days',
       (SELECT string_agg(w[1 + (floor(random() * array_length(w, 1)))::int + 0 * g], ' ') FROM generate_series(1, 40 + n % 30) AS g),
       'Jane Doe jane-doe Ministry of Finance ministry-of-finance treasury politics'
FROM generate_series(1, :claims) AS n, words;

DO $$
DECLARE
    last_hash text := repeat('0', 64);
    at timestamptz := now() - interval '30 days';
    c record;
    s bigint := 0;
BEGIN
    FOR c IN SELECT id FROM claims ORDER BY id LOOP
        s := s + 1;
        INSERT INTO status_changes (seq, claim_id, from_status, to_status, reason, evidence_appearance_ids,
                                    evidence_source_ids, actor, at, prev_hash, hash)
        VALUES (s, c.id, 'unverified', 'in_review', 'Seed.', '{}', '{}', 'seed', at, last_hash,
                chain_hash(last_hash, s, c.id, 'unverified', 'in_review', 'Seed.', 'seed', at));
        SELECT hash INTO last_hash FROM status_changes WHERE seq = s;
    END LOOP;
END
$$;
VACUUM ANALYZE claims;
VACUUM ANALYZE status_changes;
