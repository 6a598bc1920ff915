#!/usr/bin/env bash
# Shadow replay benchmark (issue 20): how fast the analyzer replays captured traffic, and how its load guard backs off
# when the source is busy. One run, three replays of the same capture against the same servers:
#
#   idle          the replay alone on idle databases, guard on (the default)
#   busy+guard    the same replay while pgbench loads the source directly, guard on
#   busy-noguard  the same again with the guard off (the analyzer restarted on the same store), for comparison
#
# For the busy rows, pgbench's throughput on the source while the replay ran is set against its throughput alone just
# before: what the replay cost the production source, with and without the guard.
#
# The traffic: a proxy on the embedded default (two servers of the same version, pgbench data on both), capture on
# with every bound value, and BENCH_SHAPES read shapes run through it by pgbench -M prepared, so that each shape has
# its executions with their values. Each replay then runs BENCH_EXECUTIONS executions of every shape, three runs each
# (source, target, source again), plus one EXPLAIN per shape and side.
#
# Usage: bench/shadow.sh     Knobs (environment):
#   BENCH_EXECUTIONS=100     executions replayed per shape (exodus.analyzer.shadow.executions-per-statement)
#   BENCH_CONCURRENCY=4      exodus.analyzer.shadow.concurrency
#   BENCH_LOAD_CLIENTS=4     pgbench clients loading the source in the busy rows (tpcb-like, simple protocol)
#   BENCH_SCALE=5            pgbench -i scale on both servers
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench
BENCH_EXECUTIONS="${BENCH_EXECUTIONS:-100}"
BENCH_CONCURRENCY="${BENCH_CONCURRENCY:-4}"
BENCH_LOAD_CLIENTS="${BENCH_LOAD_CLIENTS:-4}"
BENCH_SCALE="${BENCH_SCALE:-5}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[shadow bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
for module in exodus-proxy exodus-analyzer; do
    [[ -f "$REPO_ROOT/$module/target/quarkus-app/quarkus-run.jar" ]] \
        || die "no $module/target/quarkus-app: ./mvnw -B package -pl $module -am -DskipTests"
done

WORK="$(mktemp -d /tmp/exodus-shadow-bench.XXXXXX)"
# Copies, so that a rebuild in the working tree during the run cannot swap jars under the JVMs.
cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/proxy"
cp -r "$REPO_ROOT/exodus-analyzer/target/quarkus-app" "$WORK/analyzer"
PIDS=()
LOAD_PID=""
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    [[ -n $LOAD_PID ]] && kill "$LOAD_PID" 2>/dev/null || true
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts a JVM service from $WORK/$2 with the given environment, HTTP on $3, and waits for port $4 (or its HTTP port)
# and its readiness; sets LAST_PID. Not in a command substitution: the PID must reach PIDS in this shell, for the
# cleanup.
start_service() {
    local name="$1" app="$2" http="$3" port="$4"
    shift 4
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL -u EXODUS_CAPTURE_ANALYZER_URL EXODUS_DEMO_ENABLED=false \
        QUARKUS_HTTP_PORT="$http" "$@" java $BENCH_JAVA_OPTS -jar "$WORK/$app/quarkus-run.jar" \
        </dev/null >>"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    for _ in $(seq 1 900); do
        if can_connect "${port:-$http}" && curl -sf "http://$HOST:$http/q/health/ready" >/dev/null; then
            return
        fi
        kill -0 "$LAST_PID" 2>/dev/null || { tail -n 40 "$WORK/$name.log" >&2; die "$name exited"; }
        sleep 0.2
    done
    die "$name did not become ready"
}

source_port="$(free_port)"
target_port="$(free_port)"
proxy_port="$(free_port)"
analyzer_http="$(free_port)"
analyzer_url="http://$HOST:$analyzer_http"
source_url="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable"
target_url="postgresql://$PG_USER:$PASSWORD@$HOST:$target_port/$PG_DB?sslmode=disable"

log "Starting Exodus (phase direct, capture on with every bound value) with two embedded servers"
start_service proxy proxy "$(free_port)" "$proxy_port" EXODUS_LISTEN_PORT="$proxy_port" \
    EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
    EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=direct \
    EXODUS_CAPTURE_PARAMETERS=all EXODUS_CAPTURE_ANALYZER_URL="$analyzer_url"

ANALYZER_PID=""
# The analyzer on the same store and HTTP port each time, so that a restart keeps what was captured.
start_analyzer() {
    start_service analyzer analyzer "$analyzer_http" "" EXODUS_ANALYZER_SOURCE_URL="$source_url" \
        EXODUS_ANALYZER_TARGET_URL="$target_url" EXODUS_ANALYZER_EMBEDDED_DATA_DIR="$WORK/store" \
        EXODUS_ANALYZER_SHADOW_EXECUTIONS_PER_STATEMENT="$BENCH_EXECUTIONS" \
        EXODUS_ANALYZER_SHADOW_CONCURRENCY="$BENCH_CONCURRENCY" "$@"
    ANALYZER_PID="$LAST_PID"
}
log "Starting the analyzer (embedded store) beside it"
start_analyzer

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

# Read shapes an application might send: point reads, a range in order, a join, an aggregate of floats.
cat >"$WORK/shapes.sql" <<'SQL'
\set aid random(1, 100000 * :scale)
\set bid random(1, :scale)
\set tid random(1, 10 * :scale)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SELECT bbalance FROM pgbench_branches WHERE bid = :bid;
SELECT tbalance, bid FROM pgbench_tellers WHERE tid = :tid;
SELECT aid, abalance FROM pgbench_accounts WHERE aid BETWEEN :aid AND :aid + 20 ORDER BY aid;
SELECT a.aid, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b ON b.bid = a.bid WHERE a.aid = :aid;
SELECT sum(abalance)::float8 / 3, avg(abalance)::float8 FROM pgbench_accounts WHERE aid BETWEEN :aid AND :aid + 100;
SELECT tid, tbalance FROM pgbench_tellers WHERE bid = :bid ORDER BY tid;
SELECT count(*) FROM pgbench_accounts WHERE aid > :aid AND aid <= :aid + 1000;
SQL
shapes="$(grep -c '^SELECT' "$WORK/shapes.sql")"
log "Capturing: $shapes read shapes, $((2 * BENCH_EXECUTIONS)) executions each, through the proxy (pgbench -M prepared)"
pgbench -n -h "$HOST" -p "$proxy_port" -U "$PG_USER" -M prepared -c 2 -j 2 -s "$BENCH_SCALE" \
    -t "$BENCH_EXECUTIONS" -f "$WORK/shapes.sql" "$PG_DB" >"$WORK/capture-pgbench.log" 2>&1 \
    || { cat "$WORK/capture-pgbench.log" >&2; die "pgbench through the proxy failed"; }
sleep 5 # the proxy ships a batch at least every second (exodus.capture.flush-interval)

# Starts a replay, waits for its end; prints "executions seconds rate backoffs pausedMillis lowestLimit findings".
replay() {
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"pace": "fast"}' "$analyzer_url/analyzer/shadow" \
        >/dev/null || die "POST /analyzer/shadow refused"
    local state=running
    while [[ $state == running ]]; do
        sleep 0.5
        curl -sf "$analyzer_url/analyzer/shadow" >"$WORK/report.json" || die "GET /analyzer/shadow failed"
        state="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$WORK/report.json")"
    done
    [[ $state == done ]] || die "the replay ended $state: $(cat "$WORK/report.json")"
    python3 - "$WORK/report.json" <<'PY'
import json, sys
from datetime import datetime
r = json.load(open(sys.argv[1]))
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
seconds = (t(r["finishedAt"]) - t(r["startedAt"])).total_seconds()
executions = sum(s["replayed"] for s in r["statements"])
g = r.get("loadGuard") or {}
print(executions, "%.1f" % seconds, "%.1f" % (executions / seconds), g.get("backoffs", "-"),
      g.get("pausedMillis", "-"), g.get("lowestLimit", "-"), len(r["findings"]))
PY
}

now_s() { date +%s.%N; }
# Mean tps of pgbench's progress lines (-P 1) between $2 and $3 seconds after its start.
mean_tps() {
    awk -v from="$2" -v to="$3" '/^progress:/ { t = $2 + 0; if (t > from && t <= to) { sum += $4; n++ } }
        END { if (n) printf "%.0f", sum / n; else print "-" }' "$1"
}
# One replay while pgbench select-only (prepared, BENCH_LOAD_CLIENTS clients) loads the source directly: 8 s of load
# alone first, then the replay. Prints the replay's figures, then the load's tps alone and during the replay.
busy_replay() {
    local label="$1" out="$WORK/load-$1.log" start begin end figures
    start="$(now_s)"
    pgbench -n -S -M prepared -P 1 -h "$HOST" -p "$source_port" -U "$PG_USER" -c "$BENCH_LOAD_CLIENTS" -j 2 -T 900 \
        "$PG_DB" >"$out" 2>&1 &
    LOAD_PID=$!
    sleep 8
    begin="$(awk -v a="$(now_s)" -v b="$start" 'BEGIN { print a - b }')"
    figures="$(replay)"
    end="$(awk -v a="$(now_s)" -v b="$start" 'BEGIN { print a - b }')"
    kill -INT "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=""
    echo "$figures $(mean_tps "$out" 2 "$(awk -v b="$begin" 'BEGIN { print int(b) }')") $(mean_tps "$out" "$begin" "$end")"
    log "$label done"
}

log "Replay 1: idle databases, load guard on"
read -r idle_n idle_s idle_rate idle_back idle_paused idle_low idle_find <<<"$(replay)"
log "Replay 2: the source loaded by pgbench, load guard on"
read -r g_n g_s g_rate g_back g_paused g_low g_find g_alone g_during <<<"$(busy_replay guard)"
log "Replay 3: the same load, load guard off (the analyzer restarted on the same store)"
stop_pid "$ANALYZER_PID"
start_analyzer EXODUS_ANALYZER_SHADOW_LOAD_GUARD_ENABLED=false
read -r o_n o_s o_rate o_back o_paused o_low o_find o_alone o_during <<<"$(busy_replay noguard)"

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }
echo
echo "## Shadow replay, $shapes shapes x $BENCH_EXECUTIONS executions, concurrency $BENCH_CONCURRENCY, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Three runs per execution (source, target, source); source and target on this machine, pgbench scale" \
    "$BENCH_SCALE. Busy rows: pgbench -S -M prepared, $BENCH_LOAD_CLIENTS clients, straight to the source." \
    "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| replay | executions | seconds | executions/s | guard back-offs | paused ms | lowest limit | findings | source tps alone | source tps during the replay | during/alone |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| idle, guard on | $idle_n | $idle_s | $idle_rate | $idle_back | $idle_paused | $idle_low | $idle_find | | | |"
echo "| busy source, guard on | $g_n | $g_s | $g_rate | $g_back | $g_paused | $g_low | $g_find | $g_alone | $g_during | $(pct "$g_during" "$g_alone") |"
echo "| busy source, guard off | $o_n | $o_s | $o_rate | $o_back | $o_paused | $o_low | $o_find | $o_alone | $o_during | $(pct "$o_during" "$o_alone") |"
