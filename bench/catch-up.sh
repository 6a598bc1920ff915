#!/usr/bin/env bash
# Catch-up benchmark: how fast the applier drains a replay queue of small TPC-B-like transactions into the target.
# The proxy runs in phase dual-write under both-required with two embedded servers. The benchmark holds the
# replayer's lock on the source (as another proxy replaying would), makes the target refuse one transaction so that
# the database starts queueing, and runs pgbench through the proxy: every transaction then waits in
# exodus.replay_queue. It lets go of the lock and times the drain from the first entry applied to the last, reading
# the queue's depth on the source; then it checks that both servers hold the same pgbench tables.
#
# Usage: bench/catch-up.sh     (docs/benchmarks.md, "Catch-up", says how to read it)
# Knobs (environment):
#   BENCH_TRANSACTIONS=20000   transactions queued (pgbench -t per client is this over BENCH_CLIENTS)
#   BENCH_CLIENTS=8            pgbench -c while the queue fills (jobs: 2)
#   BENCH_SCALE=1              pgbench -i scale factor (on both servers): few rows, many conflicting writes
#   BENCH_PIPELINE_DEPTH=      exodus.replay.pipeline-depth; empty: the build's default
#   BENCH_PROXY_APP=exodus-proxy/target/quarkus-app
#                              the packaged proxy to run: another build's quarkus-app folder, for an A/B
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_TRANSACTIONS="${BENCH_TRANSACTIONS:-20000}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_SCALE="${BENCH_SCALE:-1}"
BENCH_PIPELINE_DEPTH="${BENCH_PIPELINE_DEPTH:-}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10
# The proxy reads the queue's depth often, so that the drain starts soon after the lock is free.
export EXODUS_MIGRATION_POLICY=both-required EXODUS_REPLAY_POLL_INTERVAL=200ms
if [[ -n $BENCH_PIPELINE_DEPTH ]]; then
    export EXODUS_REPLAY_PIPELINE_DEPTH="$BENCH_PIPELINE_DEPTH"
fi

BENCH_NAME=catch-up
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
start_embedded_proxy

on_source() { psql -X -q -At -h "$HOST" -p "$source_port" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -c "$1"; }
on_target() { psql -X -q -At -h "$HOST" -p "$target_port" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -c "$1"; }
through_proxy() { psql -X -q -At -h "$HOST" -p "$listen_port" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -c "$1"; }
queued() { on_source "SELECT count(*) FROM exodus.replay_queue WHERE state = 'queued'"; }

log "pgbench -i -s $BENCH_SCALE on both servers"
for port in "$source_port" "$target_port"; do
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init.log" 2>&1 \
        || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }
done
answer="$(curl -s -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"phase": "dual-write"}' -w '\n%{http_code}' "http://$HOST:$http_port/exodus/migration/phase")"
[[ $(echo "$answer" | tail -n 1) == 200 ]] || die "phase dual-write refused: $answer"

# The replayer's lock, as CatchUpQueueSql.TRY_LOCK names it, held by a session that sleeps until it is ended.
PGAPPNAME=exodus-bench-lock psql -X -q -h "$HOST" -p "$source_port" -U "$PG_USER" -d "$PG_DB" -c \
    "SELECT pg_advisory_lock(hashtext('exodus.replay_queue.replayer'), hashtext('$PG_DB'))" -c "SELECT pg_sleep(86400)" \
    >/dev/null 2>&1 &
LOCK_PID=$!
BACKGROUND_PIDS+=("$LOCK_PID")
for _ in $(seq 1 100); do
    [[ $(on_source "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") -gt 0 ]] && break
    sleep 0.1
done

log "queueing: one transaction the target refuses, then $BENCH_TRANSACTIONS through the proxy"
on_target "ALTER TABLE pgbench_history ADD CONSTRAINT bench_refuses CHECK (false) NOT VALID"
through_proxy "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())"
on_target "ALTER TABLE pgbench_history DROP CONSTRAINT bench_refuses"
per_client=$(( BENCH_TRANSACTIONS / BENCH_CLIENTS ))
pgbench -n -M prepared -h "$HOST" -p "$listen_port" -U "$PG_USER" -c "$BENCH_CLIENTS" -j 2 -t "$per_client" \
    "$PG_DB" >"$WORK/pgbench.log" 2>&1 || { tail -n 5 "$WORK/pgbench.log" >&2; die "pgbench failed"; }
depth="$(queued)"
(( depth > BENCH_TRANSACTIONS / 2 )) || die "only $depth transactions were queued"
log "$depth transactions queued; letting the replayer drain them"

# Ending the session frees the lock (a killed psql would leave its backend asleep, and the lock held).
on_source "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'exodus-bench-lock'" >/dev/null
first_seen="" first_depth=""
while :; do
    now="$(date +%s.%N)"
    left="$(queued)"
    if [[ -z $first_seen ]] && (( left < depth )); then
        first_seen="$now" first_depth="$left"
    fi
    (( left == 0 )) && break
    sleep 0.05
done
seconds="$(python3 -c "print(f'{$now - $first_seen:.2f}')")"
rate="$(python3 -c "print(round($first_depth / ($now - $first_seen)))")"

tables="pgbench_accounts pgbench_branches pgbench_tellers pgbench_history"
for table in $tables; do
    digest="SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM $table t"
    [[ $(on_source "$digest") == "$(on_target "$digest")" ]] || die "$table differs between the servers"
done

echo
echo "## Catch-up: $depth queued pgbench tpcb-like transactions (scale $BENCH_SCALE) drained into the target," \
    "$(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "pipeline depth: ${BENCH_PIPELINE_DEPTH:-default}; app: $BENCH_PROXY_APP"
echo "drained $first_depth entries in $seconds s: $rate entries/s; source and target identical"
