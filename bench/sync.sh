#!/usr/bin/env bash
# Initial sync under load: pgbench TPC-B-like runs through Exodus in phase direct against a source with data and an
# empty target; meanwhile POST /exodus/migration/sync copies schema and rows, catches up, pauses new transactions,
# switches to dual-write and resumes. Then POST /exodus/migration/verify compares every row. Reports, per repeat:
# the copy's rows/s, the switch pause, pgbench's TPS and failed transactions, and the verification's verdict.
#
# Usage: bench/sync.sh          (docs/benchmarks.md, "Initial sync under load", says how to read it)
# Knobs (environment):
#   BENCH_SCALE=20            pgbench -i scale on the source (100,000 accounts per unit)
#   BENCH_CLIENTS=8           pgbench -c through the proxy (jobs: 2)
#   BENCH_SECONDS=60          how long pgbench runs; the sync starts 3 s in and must end before pgbench does
#   BENCH_REPEAT=3            syncs in a row (phase direct and an empty target again before each)
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SCALE="${BENCH_SCALE:-20}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_SECONDS="${BENCH_SECONDS:-60}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[sync bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
if [[ ! -f "$REPO_ROOT/exodus-proxy/target/quarkus-app/quarkus-run.jar" ]]; then
    log "Building the proxy"
    (cd "$REPO_ROOT" && ./mvnw -B -q install -DskipTests) || die "build failed"
fi

WORK="$(mktemp -d /tmp/exodus-sync-bench.XXXXXX)"
cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/app"
PROXY_PID=""
cleanup() {
    if [[ -n $PROXY_PID ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
        kill -TERM "$PROXY_PID" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

listen_port="$(free_port)"
http_port="$(free_port)"
source_port="$(free_port)"
target_port="$(free_port)"
log "Starting Exodus in phase direct with two embedded servers (source $source_port, target $target_port)"
# shellcheck disable=SC2086 # options list
env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_LISTEN_PORT="$listen_port" QUARKUS_HTTP_PORT="$http_port" \
    EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
    EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=direct \
    EXODUS_SYNC_TABLES_WITHOUT_KEY=insert-only EXODUS_ADMIN_TOKEN="$TOKEN" \
    java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 600); do
    can_connect "$listen_port" && break
    kill -0 "$PROXY_PID" 2>/dev/null || { cat "$WORK/proxy.log" >&2; die "the proxy exited"; }
    sleep 0.2
done
can_connect "$listen_port" || die "the proxy did not listen"

api() {
    local method="$1" path="$2" body="${3:-}"
    curl -sf -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${body:+-d "$body"} "http://$HOST:$http_port$path"
}

log "pgbench -i -s $BENCH_SCALE on the source; the target stays empty"
pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }

declare -a rows_per_second pauses tps_list failures verdicts
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    if ((r > 1)); then
        api PUT /exodus/migration/phase '{"phase": "direct", "reason": "next benchmark repeat"}' >/dev/null \
            || die "could not go back to phase direct"
        psql -q -h "$HOST" -p "$target_port" -U "$PG_USER" -d "$PG_DB" -c \
            "DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history" \
            >/dev/null || die "could not empty the target"
    fi
    log "repeat $r: pgbench ${BENCH_SECONDS}s through the proxy, sync after 3 s"
    pgbench -n -h "$HOST" -p "$listen_port" -U "$PG_USER" -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" -P 5 \
        "$PG_DB" >"$WORK/pgbench-$r.log" 2>&1 &
    pgbench_pid=$!
    sleep 3
    api POST /exodus/migration/sync '{}' >/dev/null || die "the sync was refused: $(tail -n 5 "$WORK/proxy.log")"
    state=""
    for _ in $(seq 1 1200); do
        status="$(api GET /exodus/migration)"
        state="$(echo "$status" | json "d['sync']['state']")"
        [[ $state == done || $state == failed ]] && break
        sleep 0.5
    done
    [[ $state == done ]] || die "the sync ended $state: $(echo "$status" | json "d['sync']")"
    rows_per_second+=("$(echo "$status" | json "round(d['sync']['rowsPerSecond'] or 0)")")
    pauses+=("$(echo "$status" | json "d['sync']['switchPauseMillis']")")
    if kill -0 "$pgbench_pid" 2>/dev/null; then :; else log "pgbench ended before the sync: make BENCH_SECONDS longer"; fi
    wait "$pgbench_pid" || log "pgbench exited non-zero: $(tail -n 3 "$WORK/pgbench-$r.log" | tr '\n' ' ')"
    tps_list+=("$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$WORK/pgbench-$r.log")")
    failures+=("$(awk -F': ' '/^number of failed transactions/ { split($2, f, " "); print f[1] + 0 }' \
        "$WORK/pgbench-$r.log")")
    api POST /exodus/migration/verify '{}' >/dev/null || die "verification was refused"
    for _ in $(seq 1 1200); do
        report="$(api GET /exodus/migration/verification)"
        vstate="$(echo "$report" | json "d['state']")"
        [[ $vstate != running ]] && break
        sleep 0.5
    done
    verdicts+=("$(echo "$report" | json "'identical' if d['identical'] else 'DIFFERENT: ' + str([t['table'] for t in d['tables'] if t.get('missing') or t.get('extra') or t.get('different')])")")
    log "repeat $r: ${rows_per_second[-1]} rows/s, switch pause ${pauses[-1]} ms, ${tps_list[-1]} TPS," \
        "${failures[-1]:-0} failed transactions, verification: ${verdicts[-1]}"
done

echo
echo "## Initial sync under load: pgbench tpcb-like, $BENCH_CLIENTS clients through Exodus, scale $BENCH_SCALE," \
    "$(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| repeat | copy rows/s | switch pause (ms) | pgbench TPS over the run | failed transactions | verification after |"
echo "|---|---|---|---|---|---|"
for ((i = 0; i < BENCH_REPEAT; i++)); do
    echo "| $((i + 1)) | ${rows_per_second[i]} | ${pauses[i]} | ${tps_list[i]} | ${failures[i]:-0} | ${verdicts[i]} |"
done
