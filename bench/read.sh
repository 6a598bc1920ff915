#!/usr/bin/env bash
# Read benchmark: large and small result sets straight to the source ("direct"), through an Exodus in phase direct
# ("pass-through") and through an Exodus in phase dual-write, in one run against the same server. Reads in dual-write
# go to the source only, so every figure through dual-write should read like pass-through's.
#
# Usage: bench/read.sh     (docs/benchmarks.md, "Reads", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=10          duration of each pgbench run
#   BENCH_ROWS=1000000        rows of the big SELECT, read whole by psql
#   BENCH_REPEAT=3            repeats of every measurement; the table shows medians
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench
BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_ROWS="${BENCH_ROWS:-1000000}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[read bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
# shellcheck source=bench/lib/listening.sh
source "$REPO_ROOT/bench/lib/listening.sh"

for tool in pgbench psql java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
if [[ ! -f "$REPO_ROOT/exodus-proxy/target/quarkus-app/quarkus-run.jar" ]]; then
    log "Building the proxy"
    (cd "$REPO_ROOT" && ./mvnw -B -q install -DskipTests) || die "build failed"
fi

WORK="$(mktemp -d /tmp/exodus-read-bench.XXXXXX)"
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

# Starts a proxy with the given environment; sets STARTED_PORT to its listen port once it accepts connections. Not
# to be called in a command substitution: its PID must reach PIDS in this shell, for the cleanup.
start_proxy() {
    local name="$1" port http
    shift
    port="$(free_port)"
    http="$(free_port)"
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false EXODUS_LISTEN_PORT="$port" QUARKUS_HTTP_PORT="$http" \
        EXODUS_TLS_MODE=disable EXODUS_METRICS_ENABLED=true "$@" java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" \
        </dev/null >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    await_listening "$port" "$pid" "$WORK/$name.log" "the $name proxy"
    STARTED_PORT="$port"
}

source_port="$(free_port)"
target_port="$(free_port)"
log "Starting Exodus in phase dual-write with two embedded servers (source $source_port, target $target_port)"
start_proxy dual-write EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
    EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_MIGRATION_PHASE=dual-write
dual_port="$STARTED_PORT"
log "Starting a second Exodus in phase direct in front of the same source"
direct_url="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable"
start_proxy pass-through EXODUS_SOURCE_URL="$direct_url" EXODUS_MIGRATION_PHASE=direct
pass_port="$STARTED_PORT"

for port in "$source_port" "$target_port"; do
    psql -q -h "$HOST" -p "$port" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -c \
        "drop table if exists bench_read; create table bench_read as select i as id, md5(i::text) as note
         from generate_series(1, 100000) i; alter table bench_read add primary key (id); analyze bench_read" \
        || die "could not create bench_read on port $port"
done
cat >"$WORK/rows20000.sql" <<'EOF'
\set start random(1, 80000)
SELECT id, note FROM bench_read WHERE id BETWEEN :start AND :start + 19999;
EOF
cat >"$WORK/rows100.sql" <<'EOF'
\set start random(1, 99900)
SELECT id, note FROM bench_read WHERE id BETWEEN :start AND :start + 99;
EOF

# Seconds (3 decimals) psql takes to read the big SELECT whole, its rows thrown away.
big_select() {
    local started ended
    started="$(date +%s%N)"
    psql -X -q -h "$HOST" -p "$1" -U "$PG_USER" -d "$PG_DB" -At -o /dev/null -c \
        "SELECT i, md5(i::text) FROM generate_series(1, $BENCH_ROWS) i" || die "big SELECT failed on port $1"
    ended="$(date +%s%N)"
    awk -v n="$((ended - started))" 'BEGIN { printf "%.3f", n / 1e9 }'
}
# Queries per second of a pgbench script with $3 clients.
queries_per_second() {
    local out="$WORK/pgbench-$1-$2-$3.log"
    pgbench -n -h "$HOST" -p "$1" -U "$PG_USER" -M extended -c "$3" -j 2 -T "$BENCH_SECONDS" -f "$WORK/$2.sql" \
        "$PG_DB" >"$out" 2>&1 || die "pgbench failed: $(tail -n 3 "$out")"
    awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$out"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A paths=([direct]="$source_port" [pass-through]="$pass_port" [dual-write]="$dual_port")
order=(direct pass-through dual-write)
log "Warm-up through both proxies"
for path in pass-through dual-write; do
    big_select "${paths[$path]}" >/dev/null
    BENCH_SECONDS=5 queries_per_second "${paths[$path]}" rows100 8 >/dev/null
    BENCH_SECONDS=5 queries_per_second "${paths[$path]}" rows20000 2 >/dev/null
done
declare -A big q20000 q100
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for path in "${order[@]}"; do
        port="${paths[$path]}"
        big[$path]+="$(big_select "$port") "
        q20000[$path]+="$(queries_per_second "$port" rows20000 2) "
        q100[$path]+="$(queries_per_second "$port" rows100 8) "
        log "repeat $r $path: big ${big[$path]##* }... done"
    done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "## Reads, $(nproc) cores, ${BENCH_SECONDS}s pgbench runs x $BENCH_REPEAT, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| path | SELECT of $BENCH_ROWS rows, psql (s) | 20,000-row queries/s, 2 clients | 100-row queries/s, 8 clients |"
echo "|---|---|---|---|"
for path in "${order[@]}"; do
    echo "| $path | $(echo "${big[$path]}" | median) | $(echo "${q20000[$path]}" | median) | $(echo "${q100[$path]}" | median) |"
done
pass_big="$(echo "${big[pass-through]}" | median)"
dual_big="$(echo "${big[dual-write]}" | median)"
echo
echo "dual-write against pass-through: big SELECT time $(ratio "$dual_big" "$pass_big")x," \
    "20,000-row queries $(ratio "$(echo "${q20000[dual-write]}" | median)" "$(echo "${q20000[pass-through]}" | median)")x," \
    "100-row queries $(ratio "$(echo "${q100[dual-write]}" | median)" "$(echo "${q100[pass-through]}" | median)")x"
