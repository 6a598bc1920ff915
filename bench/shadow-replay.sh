#!/usr/bin/env bash
# Shadow replay benchmark (issue 20): how fast the analyzer replays captured traffic, and how its load guard backs off
# when the source gets busy. One run, four replays of the same capture against the same servers, two with the load
# guard off and two with it on (the analyzer restarted on the same store in between, so both pairs start cold):
#
#   idle   the replay alone on idle databases
#   busy   the replay overtaken by a load on the source: it starts on idle databases (so that the guard's baseline is
#          an idle source's), and pgbench loads the source straight for BENCH_LOAD_SECONDS once the guard has its
#          baseline, as a production peak would arrive, and goes on BENCH_LOAD_SECONDS after the replay. The load's
#          throughput while the replay was under way is set against its throughput after it (the same pgbench run):
#          what the replay cost the production source, with and without the guard.
#
# The traffic: a proxy on the embedded default (two servers of the same version, pgbench data on both), capture on
# with every bound value, and eight read shapes run through it by pgbench -M prepared, so that each shape has
# its executions with their values. Each replay then runs BENCH_EXECUTIONS executions of every shape, three runs each
# (source, target, source again), plus one EXPLAIN per shape and side.
#
# Usage: bench/shadow-replay.sh     Knobs (environment):
#   BENCH_EXECUTIONS=500     executions replayed per shape (exodus.analyzer.shadow.executions-per-statement)
#   BENCH_CONCURRENCY=4      exodus.analyzer.shadow.concurrency
#   BENCH_LOAD_CLIENTS=4     pgbench clients loading the source in the busy rows (select-only, prepared)
#   BENCH_LOAD_SECONDS=15    how long that load goes on after the replay
#   BENCH_SCALE=5            pgbench -i scale on both servers
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"   KEEP_LOGS=DIR (the services' logs and the replays' reports are copied there)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench
BENCH_EXECUTIONS="${BENCH_EXECUTIONS:-500}"
BENCH_LOAD_SECONDS="${BENCH_LOAD_SECONDS:-15}"
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
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    local pid
    [[ -n ${LOAD_PID:-} ]] && kill -TERM "$LOAD_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n "${KEEP_LOGS:-}" ]]; then
        mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$WORK"/report-*.json "$KEEP_LOGS"/ 2>/dev/null || true
    fi
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
log "Starting the analyzer (embedded store) beside it, load guard off first"
start_analyzer EXODUS_ANALYZER_SHADOW_LOAD_GUARD_ENABLED=false

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

# Read shapes an application might send: point reads, a range in order, a join, aggregates of floats. Every value is a
# bound parameter: a shape with a literal beside its parameters cannot be replayed (docs/shadow-testing.md).
cat >"$WORK/shapes.sql" <<'SQL'
\set aid random(1, 100000 * :scale)
\set bid random(1, :scale)
\set tid random(1, 10 * :scale)
\set upto20 :aid + 20
\set upto100 :aid + 100
\set upto1000 :aid + 1000
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SELECT bbalance FROM pgbench_branches WHERE bid = :bid;
SELECT tbalance, bid FROM pgbench_tellers WHERE tid = :tid;
SELECT aid, abalance FROM pgbench_accounts WHERE aid BETWEEN :aid AND :upto20 ORDER BY aid;
SELECT a.aid, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b ON b.bid = a.bid WHERE a.aid = :aid;
SELECT sum(abalance)::float8, avg(abalance)::float8 FROM pgbench_accounts WHERE aid BETWEEN :aid AND :upto100;
SELECT tid, tbalance FROM pgbench_tellers WHERE bid = :bid ORDER BY tid;
SELECT count(*) FROM pgbench_accounts WHERE aid > :aid AND aid <= :upto1000;
SQL
shapes="$(grep -c '^SELECT' "$WORK/shapes.sql")"
log "Capturing: $shapes read shapes, $((2 * BENCH_EXECUTIONS)) executions each, through the proxy (pgbench -M prepared)"
pgbench -n -h "$HOST" -p "$proxy_port" -U "$PG_USER" -M prepared -c 2 -j 2 -s "$BENCH_SCALE" \
    -t "$BENCH_EXECUTIONS" -f "$WORK/shapes.sql" "$PG_DB" >"$WORK/capture-pgbench.log" 2>&1 \
    || { cat "$WORK/capture-pgbench.log" >&2; die "pgbench through the proxy failed"; }
sleep 5 # the proxy ships a batch at least every second (exodus.capture.flush-interval)

# Starts a replay (POST /analyzer/shadow), without waiting.
start_replay() {
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"pace": "fast"}' "$analyzer_url/analyzer/shadow" \
        >/dev/null || die "POST /analyzer/shadow refused"
}
# Waits for the replay's end; prints "executions seconds rate backoffs pausedMillis lowestLimit findings".
finish_replay() {
    local state=running
    while [[ $state == running ]]; do
        sleep 0.5
        curl -sf "$analyzer_url/analyzer/shadow" >"$WORK/report.json" || die "GET /analyzer/shadow failed"
        state="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$WORK/report.json")"
    done
    [[ $state == done ]] || die "the replay ended $state: $(cat "$WORK/report.json")"
    cp "$WORK/report.json" "$WORK/report-$1.json"
    log "$(python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); print(r["message"], r.get("loadGuard"))' \
        "$WORK/report.json")"
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

# Mean tps of pgbench's progress lines (-P 1) between $2 and $3 seconds after its start.
mean_tps() {
    awk -v from="$2" -v to="$3" '/^progress:/ { t = $2 + 0; if (t > from && t <= to) { sum += $4; n++ } }
        END { if (n) printf "%.0f", sum / n; else print "-" }' "$1"
}
LOAD_PID=""
# pgbench select-only (prepared, BENCH_LOAD_CLIENTS clients) straight to the source, in the background, with its
# progress every second into $1.
start_load() {
    pgbench -n -S -M prepared -P 1 -h "$HOST" -p "$source_port" -U "$PG_USER" -c "$BENCH_LOAD_CLIENTS" -j 2 -T 900 \
        "$PG_DB" >"$1" 2>&1 &
    LOAD_PID=$!
}
stop_load() {
    # TERM: a background job of a script ignores SIGINT.
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=""
}
# Waits until the running replay's guard has its baseline (its first probes of each side, before the replay runs);
# without a guard, 2 s.
await_baseline() {
    if [[ $1 == off ]]; then
        sleep 2
        return
    fi
    for _ in $(seq 1 120); do
        curl -sf "$analyzer_url/analyzer/shadow" | python3 -c '
import json, sys
g = json.load(sys.stdin).get("loadGuard")
sys.exit(0 if g and g["baselineMicros"] and min(g["baselineMicros"].values()) >= 0 else 1)' && return
        sleep 0.25
    done
    die "the load guard took no baseline"
}
# One replay that a load on the source overtakes: the replay starts on idle databases, so that the guard's baseline is
# an idle source's, and pgbench starts loading the source once it is taken, as a production peak would arrive; the
# load goes on for BENCH_LOAD_SECONDS after the replay ends. Prints the replay's figures, then the load's mean tps
# while the replay was under way (running or paused) and after it, from the same pgbench run: adjacent windows, so
# that the machine's other load falls on both alike.
busy_replay() {
    local figures started out="$WORK/load-$1.log" ended
    start_replay
    await_baseline "$1"
    started="$(date +%s.%N)"
    start_load "$out"
    figures="$(finish_replay "busy-$1")"
    ended="$(python3 -c 'import json, sys
from datetime import datetime
r = json.load(open(sys.argv[1]))
print(datetime.fromisoformat(r["finishedAt"].replace("Z", "+00:00")).timestamp() - float(sys.argv[2]))' \
        "$WORK/report-busy-$1.json" "$started")"
    sleep "$BENCH_LOAD_SECONDS"
    stop_load
    # The first second is the clients connecting; the second after the replay, its connections closing.
    echo "$figures $(mean_tps "$out" 1 "$ended") $(mean_tps "$out" "$(awk -v e="$ended" 'BEGIN { print e + 1 }')" 100000)"
}
declare -A row
for guard in off on; do
    if [[ $guard == on ]]; then
        log "Restarting the analyzer (same store) with the load guard on"
        stop_pid "$ANALYZER_PID"
        start_analyzer EXODUS_ANALYZER_SHADOW_LOAD_GUARD_ENABLED=true
    fi
    log "Replay on idle databases, load guard $guard"
    start_replay
    row[idle-$guard]="$(finish_replay "idle-$guard")"
    log "Replay overtaken by a load on the source, load guard $guard"
    row[busy-$guard]="$(busy_replay "$guard")"
done

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }
echo
echo "## Shadow replay, $shapes shapes x $BENCH_EXECUTIONS executions, concurrency $BENCH_CONCURRENCY, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Three runs per execution (source, target, source), one EXPLAIN per shape and side; source, target, proxy and" \
    "analyzer on this machine, pgbench scale $BENCH_SCALE. Busy rows: pgbench -S -M prepared, $BENCH_LOAD_CLIENTS" \
    "clients, straight to the source from the moment the guard has its baseline (2 s into the replay without a" \
    "guard) until ${BENCH_LOAD_SECONDS}s after the replay's end. Load average at the end:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| replay | guard | executions | seconds | executions/s | back-offs | paused ms | lowest limit | findings | load's tps with the replay under way | after it | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for guard in off on; do
    for kind in idle busy; do
        read -r n secs rate back paused low find during after <<<"${row[$kind-$guard]}"
        share=""
        [[ $kind == busy ]] && share="$(pct "$during" "$after")"
        echo "| $kind | $guard | $n | $secs | $rate | $back | $paused | $low | $find | ${during:-} | ${after:-} | $share |"
    done
done
