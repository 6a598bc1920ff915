#!/usr/bin/env bash
# Shadow-read benchmark: pgbench select-only through Exodus in phase dual-write with shadow reads off, then on (every
# read, and the default share), interleaved in one run against the same two servers, so that the cost reads as a
# ratio to "off" measured minutes apart on the same machine. A shadowed read runs on both databases, which here share
# the machine's cores with each other, with pgbench and with the proxy.
#
# Usage: bench/shadow-reads.sh     (docs/benchmarks.md, "Shadow reads", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=20                 duration of each timed run
#   BENCH_WARMUP_SECONDS=10          untimed run through each proxy first (JIT)
#   BENCH_SCALE=10                   pgbench -i scale factor (on both servers)
#   BENCH_CLIENTS=8                  pgbench -c (jobs: 2)
#   BENCH_MODE=prepared              pgbench -M
#   BENCH_SHARES="100 10"            shadow shares to measure (percent of the reads), one proxy each
#   BENCH_REPEAT=1                   interleaved repeats; the table shows medians
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-10}"
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_MODE="${BENCH_MODE:-prepared}"
BENCH_SHARES="${BENCH_SHARES:-100 10}"
BENCH_REPEAT="${BENCH_REPEAT:-1}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[shadow bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
if [[ ! -f "$REPO_ROOT/exodus-proxy/target/quarkus-app/quarkus-run.jar" ]]; then
    log "Building the proxy"
    (cd "$REPO_ROOT" && ./mvnw -B -q package -DskipTests) || die "build failed"
fi

WORK="$(mktemp -d /tmp/exodus-shadow-bench.XXXXXX)"
cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/app"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts a proxy in phase dual-write with the given environment; sets STARTED_PORT and STARTED_HTTP once it accepts
# connections. Not to be called in a command substitution: its PID must reach PIDS in this shell, for the cleanup.
start_proxy() {
    local name="$1" port http
    shift
    port="$(free_port)"
    http="$(free_port)"
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false EXODUS_LISTEN_PORT="$port" \
        QUARKUS_HTTP_PORT="$http" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=dual-write \
        EXODUS_ADMIN_TOKEN="$TOKEN" EXODUS_STRATEGY_SOAK=24h "$@" \
        java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 900); do
        can_connect "$port" && { STARTED_PORT="$port"; STARTED_HTTP="$http"; return; }
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "the $name proxy exited"; }
        sleep 0.2
    done
    die "the $name proxy did not listen"
}

# PUT /exodus/migration/strategy on the proxy whose admin API listens on $1.
strategy() {
    curl -fsS -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"strategy\": \"$2\", \"reason\": \"shadow bench\"}" "http://$HOST:$1/exodus/migration/strategy" \
        >/dev/null || die "strategy $2 refused on port $1"
}
status() {
    curl -fsS -H "Authorization: Bearer $TOKEN" "http://$HOST:$1/exodus/migration" || die "no status on port $1"
}

source_port="$(free_port)"
target_port="$(free_port)"
declare -A proxy_port proxy_http
first=1
for share in $BENCH_SHARES; do
    if ((first)); then
        log "Starting Exodus (shadow share $share %) with two embedded servers (source $source_port, target $target_port)"
        start_proxy "share-$share" EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
            EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_MIGRATION_SHADOW_SHARE="$share"
        first=0
    else
        log "Starting another Exodus (shadow share $share %) in front of the same servers"
        start_proxy "share-$share" \
            EXODUS_SOURCE_URL="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable" \
            EXODUS_TARGET_URL="postgresql://$PG_USER:$PASSWORD@$HOST:$target_port/$PG_DB?sslmode=disable" \
            EXODUS_MIGRATION_SHADOW_SHARE="$share"
    fi
    proxy_port[$share]="$STARTED_PORT"
    proxy_http[$share]="$STARTED_HTTP"
done
first_share="${BENCH_SHARES%% *}"

# The same rows on both sides: pgbench -i writes the same values wherever it runs.
for port in "$source_port" "$target_port"; do
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || die "pgbench -i failed on port $port: $(tail -n 3 "$WORK/init-$port.log")"
done

tps() {
    local out="$WORK/pgbench-$1-$2.log"
    pgbench -n -S -h "$HOST" -p "$1" -U "$PG_USER" -M "$BENCH_MODE" -c "$BENCH_CLIENTS" -j 2 -T "$2" "$PG_DB" \
        >"$out" 2>&1 || die "pgbench failed: $(tail -n 3 "$out")"
    awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$out"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

log "Warm-up through every proxy, shadow on"
for share in $BENCH_SHARES; do
    strategy "${proxy_http[$share]}" shadow
    tps "${proxy_port[$share]}" "$BENCH_WARMUP_SECONDS" >/dev/null
    strategy "${proxy_http[$share]}" none
done

declare -A runs
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    measured="$(tps "${proxy_port[$first_share]}" "$BENCH_SECONDS")"
    runs[off]+="$measured "
    log "repeat $r off: $measured tps"
    for share in $BENCH_SHARES; do
        strategy "${proxy_http[$share]}" shadow
        measured="$(tps "${proxy_port[$share]}" "$BENCH_SECONDS")"
        runs[$share]+="$measured "
        strategy "${proxy_http[$share]}" none
        log "repeat $r shadow $share %: $measured tps"
    done
done

off="$(echo "${runs[off]}" | median)"
echo
echo "## Shadow reads, pgbench -S -M $BENCH_MODE, $BENCH_CLIENTS clients, scale $BENCH_SCALE, $(nproc) cores," \
    "${BENCH_SECONDS}s runs x $BENCH_REPEAT, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| shadow | TPS | ratio to off | reads compared | mismatches |"
echo "|---|---|---|---|---|"
echo "| off | $off | 1.00 | - | - |"
for share in $BENCH_SHARES; do
    body="$(status "${proxy_http[$share]}")"
    on="$(echo "${runs[$share]}" | median)"
    echo "| $share % | $on | $(ratio "$on" "$off") | $(echo "$body" | json 'd["shadow"]["compared"]') |" \
        "$(echo "$body" | json 'd["shadow"]["mismatches"]') |"
done
