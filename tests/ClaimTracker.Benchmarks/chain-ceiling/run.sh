#!/usr/bin/env bash
# Measures the ceiling of status changes per second under the global hash-chain lock, at SQL level, with pgbench
# against a throwaway PostgreSQL cluster. A manual measurement (not part of .ci/run); see README.md beside this file.
#
# Settings (environment): PG_BIN (default /usr/lib/postgresql/15/bin), DURATION seconds per run (15), CLIENTS
# ("1 2 4 8 16"), CLAIMS (10000), SCRIPTS ("floor chain chain-function batched chain-commit-delay"),
# DURABILITIES ("durable non-durable"), OUT (a directory for the raw logs and results.tsv; default a new one under /tmp).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-"1 2 4 8 16"}
CLAIMS=${CLAIMS:-10000}
SCRIPTS=${SCRIPTS:-"floor chain chain-function batched chain-commit-delay"}
DURABILITIES=${DURABILITIES:-"durable non-durable"}
OUT=${OUT:-$(mktemp -d /tmp/chain-ceiling-results-XXXX)}
mkdir -p "$OUT"

# initdb and postgres refuse to run as root: as root, they run as the postgres user. Clients run as whoever we are.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        local p
        while :; do
            p=$((20000 + RANDOM % 20000))
            ss -ltn "( sport = :$p )" | grep -q ":$p" || { echo "$p"; return; }
        done
    fi
}

WORK=$(mktemp -d /tmp/chain-ceiling-XXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$WORK"
PGDATA_DIR=$WORK/data
STARTED=0
cleanup() {
    if [ "$STARTED" = 1 ]; then as_pg "$BIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w >/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(free_port)
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=chain
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
scalar() { "$BIN/psql" -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load: $(uptime | sed 's/.*load average: //')" | tee "$OUT/summary.txt"
echo "== raw logs: $OUT"

# The disk's commit floor: one 8 kB WAL write + fdatasync (the default wal_sync_method on Linux).
as_pg "$BIN/pg_test_fsync" -s 2 -f "$WORK/fsync.test" > "$OUT/pg_test_fsync.txt" 2>&1
FSYNC_LINE=$(awk '/one 8kB write/ {found=1} found && /^[ \t]+fdatasync/ {print; exit}' "$OUT/pg_test_fsync.txt" | tr -s ' ')
echo "== pg_test_fsync, one 8 kB write then fdatasync:$FSYNC_LINE" | tee -a "$OUT/summary.txt"

as_pg "$BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$OUT/initdb.log" 2>&1
# No Unix socket (TCP on loopback only); no checkpoint inside a run (each run starts after an explicit CHECKPOINT).
as_pg "$BIN/pg_ctl" start -D "$PGDATA_DIR" -l "$WORK/server.log" -w -t 60 -o "-p $PORT -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories='' -c max_connections=50 -c shared_buffers=256MB -c max_wal_size=8GB \
    -c checkpoint_timeout=30min" >/dev/null
STARTED=1
"$BIN/createdb" chain
psql_q -f "$HERE/schema.sql"
psql_q -f "$HERE/options.sql"
psql_q -v claims="$CLAIMS" -f "$HERE/load.sql"
echo "== loaded $CLAIMS claims, $(scalar 'SELECT count(*) FROM status_changes') history rows"

set_durability() {
    case $1 in
        durable) psql_q -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" ;;
        non-durable) psql_q -c "ALTER SYSTEM SET fsync = off" -c "ALTER SYSTEM SET synchronous_commit = on" ;;
    esac
    psql_q -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
}

set_commit_delay() { # $1 = microseconds, $2 = siblings
    psql_q -c "ALTER SYSTEM SET commit_delay = $1" -c "ALTER SYSTEM SET commit_siblings = $2" \
        -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
}

# Waiters on the chain lock, sampled once in the middle of a run.
sample_waiters() {
    sleep $((DURATION / 2))
    scalar "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted" > "$1" 2>/dev/null || true
}

prepare_run() {
    psql_q -c "VACUUM claims" -c "VACUUM status_changes_pending" -c "CHECKPOINT"
}

pgbench_run() { # $1 = script file, $2 = clients, $3 = log
    "$BIN/pgbench" -n -M prepared -T "$DURATION" -c "$2" -j "$(( $2 < 2 ? $2 : 2 ))" -D claims="$CLAIMS" -f "$1" > "$3" 2>&1
}

tps_of() { awk '/^tps = / {printf "%.0f", $3; exit}' "$1"; }
lat_of() { awk '/^latency average = / {printf "%.2f", $4; exit}' "$1"; }
fail_of() { awk '/^number of failed transactions: / {print $5; exit}' "$1"; }

printf 'durability\tscript\tclients\ttps\tlatency_ms\tfailed\tnote\n' > "$OUT/results.tsv"

for durability in $DURABILITIES; do
    set_durability "$durability"
    for script in $SCRIPTS; do
        clients_list=$CLIENTS
        if [ "$script" = chain-commit-delay ]; then
            [ "$durability" = durable ] || continue # commit_delay only acts when WAL is flushed
            clients_list=$(for c in $CLIENTS; do [ "$c" -ge 8 ] && echo "$c"; done)
        fi
        for clients in $clients_list; do
            prepare_run
            log="$OUT/$durability-$script-$clients.log"
            note=""
            case $script in
                floor | chain | chain-function)
                    sample_waiters "$WORK/waiters" &
                    sampler=$!
                    pgbench_run "$HERE/$script.sql" "$clients" "$log"
                    wait "$sampler"
                    [ "$script" = floor ] || note="chain-lock waiters mid-run: $(cat "$WORK/waiters" 2>/dev/null)"
                    ;;
                chain-commit-delay)
                    set_commit_delay 1000 5
                    sample_waiters "$WORK/waiters" &
                    sampler=$!
                    pgbench_run "$HERE/chain.sql" "$clients" "$log"
                    wait "$sampler"
                    set_commit_delay 0 5
                    note="commit_delay=1000us commit_siblings=5; chain-lock waiters mid-run: $(cat "$WORK/waiters" 2>/dev/null)"
                    ;;
                batched)
                    before=$(scalar "SELECT max(seq) FROM status_changes")
                    "$BIN/pgbench" -n -M prepared -T "$DURATION" -c 1 -f "$HERE/linker.sql" > "$log.linker" 2>&1 &
                    linker=$!
                    pgbench_run "$HERE/pending.sql" "$clients" "$log"
                    after=$(scalar "SELECT max(seq) FROM status_changes")
                    backlog=$(scalar "SELECT count(*) FROM status_changes_pending")
                    wait "$linker"
                    scalar "SELECT link_pending(1000000)" >/dev/null # drain what is left
                    note="linked $(( (after - before) / DURATION ))/s by one writer (avg $(awk '/^latency average = / {print $4; exit}' "$log.linker") ms per batch), backlog at end $backlog"
                    ;;
            esac
            tps=$(tps_of "$log")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$durability" "$script" "$clients" "${tps:-?}" "$(lat_of "$log")" \
                "$(fail_of "$log")" "$note" | tee -a "$OUT/results.tsv"
        done
    done
done

# The chain the runs left must still be gapless and linked (hashes are checked by recomputing them).
broken=$(scalar "SELECT count(*) FROM (SELECT seq, prev_hash, hash, lag(hash) OVER (ORDER BY seq) AS prev,
                                             lag(seq) OVER (ORDER BY seq) AS prev_seq,
                                             chain_hash(prev_hash, seq, claim_id, from_status, to_status, reason, actor, at) AS recomputed
                                      FROM status_changes) c
                 WHERE (prev IS NOT NULL AND (prev_hash <> prev OR seq <> prev_seq + 1)) OR hash <> recomputed")
echo "== chain after the runs: $(scalar 'SELECT count(*) FROM status_changes') rows, $broken broken links" | tee -a "$OUT/summary.txt"
echo "== done $(date -u '+%H:%M UTC'), load: $(uptime | sed 's/.*load average: //')" | tee -a "$OUT/summary.txt"
echo
column -t -s $'\t' "$OUT/results.tsv" | tee -a "$OUT/summary.txt"
