#!/usr/bin/env bash
# Capture benchmark: what the capture tap costs the relay. pgbench straight to the source ("direct"), and through
# Exodus in phase direct (pass-through) and in phase dual-write, each once with capture off and once with capture on
# (every statement captured and shipped to a running analyzer), interleaved in one run against the same servers, so
# that capture on/off reads as a ratio measured minutes apart on the same machine. The analyzer (and its embedded
# store) runs on this machine too, as it would beside a proxy: its work competes for the same cores.
#
# Usage: bench/capture.sh     (docs/benchmarks.md, "Capture", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=15                 duration of each timed run
#   BENCH_WARMUP_SECONDS=10          untimed run through each proxy first, per row (JIT)
#   BENCH_SCALE=10                   pgbench -i scale factor (on both servers)
#   BENCH_CLIENTS=8                  pgbench -c (jobs: 2)
#   BENCH_ROWS="tpcb-like:simple select-only:prepared"   script:mode rows
#   BENCH_REPEAT=3                   interleaved repeats; the table shows medians
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench
BENCH_SECONDS="${BENCH_SECONDS:-15}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-10}"
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_ROWS="${BENCH_ROWS:-tpcb-like:simple select-only:prepared}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[capture bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
# shellcheck source=bench/lib/listening.sh
source "$REPO_ROOT/bench/lib/listening.sh"

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
for module in exodus-proxy exodus-analyzer; do
    if [[ ! -f "$REPO_ROOT/$module/target/quarkus-app/quarkus-run.jar" ]]; then
        log "Building the proxy and the analyzer"
        (cd "$REPO_ROOT" && ./mvnw -B -q install -DskipTests) || die "build failed"
    fi
done

WORK="$(mktemp -d /tmp/exodus-capture-bench.XXXXXX)"
# Copies, so that a rebuild in the working tree during the run cannot swap jars under the JVMs.
cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/proxy"
cp -r "$REPO_ROOT/exodus-analyzer/target/quarkus-app" "$WORK/analyzer"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

declare -A PID_OF HTTP_OF
# Starts a JVM service ($2: proxy or analyzer) named $1 with the given environment, listening on $3; records its PID.
# Not to be called in a command substitution: its PID must reach PIDS in this shell, for the cleanup.
start_service() {
    local name="$1" app="$2" port="$3"
    shift 3
    local http
    http="$(free_port)"
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL -u EXODUS_CAPTURE_ANALYZER_URL EXODUS_DEMO_ENABLED=false QUARKUS_HTTP_PORT="$http" "$@" \
        java $BENCH_JAVA_OPTS -jar "$WORK/$app/quarkus-run.jar" </dev/null >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    PID_OF[$name]="$pid"
    HTTP_OF[$name]="$http"
    await_listening "${port:-$http}" "$pid" "$WORK/$name.log" "$name"
}

source_port="$(free_port)"
target_port="$(free_port)"
declare -A PORT_OF
PORT_OF[dual-write]="$(free_port)"
log "Starting Exodus in phase dual-write with two embedded servers (source $source_port, target $target_port)"
start_service dual-write proxy "${PORT_OF[dual-write]}" EXODUS_LISTEN_PORT="${PORT_OF[dual-write]}" \
    EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
    EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=dual-write \
    EXODUS_MIGRATION_PROXY_ID=capture-off
source_url="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable"
target_url="postgresql://$PG_USER:$PASSWORD@$HOST:$target_port/$PG_DB?sslmode=disable"

log "Starting the analyzer (embedded store) beside them"
start_service analyzer analyzer "" EXODUS_ANALYZER_SOURCE_URL="$source_url" \
    EXODUS_ANALYZER_EMBEDDED_DATA_DIR="$WORK/store"
for _ in $(seq 1 600); do
    curl -sf "http://$HOST:${HTTP_OF[analyzer]}/q/health/ready" >/dev/null && break
    sleep 0.5
done
curl -sf "http://$HOST:${HTTP_OF[analyzer]}/q/health/ready" >/dev/null || die "the analyzer is not ready"
analyzer_url="http://$HOST:${HTTP_OF[analyzer]}"

for name in dual-write+capture pass-through pass-through+capture; do
    PORT_OF[$name]="$(free_port)"
done
log "Starting the other proxies in front of the same servers"
start_service dual-write+capture proxy "${PORT_OF[dual-write+capture]}" EXODUS_LISTEN_PORT="${PORT_OF[dual-write+capture]}" \
    EXODUS_SOURCE_URL="$source_url" EXODUS_TARGET_URL="$target_url" EXODUS_TLS_MODE=disable \
    EXODUS_MIGRATION_PHASE=dual-write EXODUS_MIGRATION_PROXY_ID=capture-on EXODUS_CAPTURE_ANALYZER_URL="$analyzer_url"
start_service pass-through proxy "${PORT_OF[pass-through]}" EXODUS_LISTEN_PORT="${PORT_OF[pass-through]}" \
    EXODUS_SOURCE_URL="$source_url" EXODUS_TLS_MODE=disable
start_service pass-through+capture proxy "${PORT_OF[pass-through+capture]}" \
    EXODUS_LISTEN_PORT="${PORT_OF[pass-through+capture]}" EXODUS_SOURCE_URL="$source_url" EXODUS_TLS_MODE=disable \
    EXODUS_CAPTURE_ANALYZER_URL="$analyzer_url"
PORT_OF[direct]="$source_port"

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The analyzer's JVM and its store's postmaster with every child of it: what capture costs on the analyzer's side.
analyzer_ticks() {
    local postmaster pids
    postmaster="$(head -n 1 "$WORK/store/postmaster.pid" 2>/dev/null || true)"
    pids="${PID_OF[analyzer]} $postmaster"
    [[ -n $postmaster ]] && pids+=" $(pgrep -P "$postmaster" | tr '\n' ' ')"
    local total=0 p
    for p in $pids; do total=$((total + $(cpu_ticks "$p"))); done
    echo "$total"
}
# Echoes "TPS proxy-CPU-µs-per-transaction analyzer-CPU-µs-per-transaction" of one pgbench run through $1 (a path).
run_pgbench() {
    local path="$1" script="$2" mode="$3" seconds="$4" label="$5"
    local out="$WORK/$label.log" pid="${PID_OF[$path]:-}" before=0 args=() analyzer_before
    [[ $script == select-only ]] && args=(-S) || args=(-b "$script")
    [[ -n $pid ]] && before="$(cpu_ticks "$pid")"
    analyzer_before="$(analyzer_ticks)"
    if ! pgbench -n -h "$HOST" -p "${PORT_OF[$path]}" -U "$PG_USER" -M "$mode" -c "$BENCH_CLIENTS" -j 2 \
        -T "$seconds" "${args[@]}" "$PG_DB" >"$out" 2>&1; then
        log "pgbench failed for $label: $(tail -n 3 "$out" | tr '\n' ' ')"
        echo "0 0 0"
        return
    fi
    local tps count cpu=0 analyzer_cpu
    analyzer_cpu="$(($(analyzer_ticks) - analyzer_before))"
    tps="$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$out")"
    count="$(awk -F': ' '/^number of transactions actually processed/ { print $2 + 0 }' "$out")"
    [[ -n $pid ]] && cpu="$(awk -v t="$(($(cpu_ticks "$pid") - before))" -v hz="$CLK_TCK" -v n="$count" \
        'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print 0 }')"
    analyzer_cpu="$(awk -v t="$analyzer_cpu" -v hz="$CLK_TCK" -v n="$count" \
        'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print 0 }')"
    echo "$tps $cpu $analyzer_cpu"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
capture_status() {
    curl -sf "http://$HOST:${HTTP_OF[$1]}/exodus/migration" | python3 -c '
import json, sys
c = json.load(sys.stdin)["analyzer"]["capture"]
print("sent %d, dropped %s" % (c["sent"], ", ".join("%s %d" % (k, v) for k, v in c["dropped"].items() if v) or "none"))'
}

paths=(direct pass-through pass-through+capture dual-write dual-write+capture)
for row in $BENCH_ROWS; do
    script="${row%%:*}" mode="${row##*:}"
    for path in "${paths[@]:1}"; do
        log "Warm-up: ${BENCH_WARMUP_SECONDS}s $script -M $mode through $path"
        run_pgbench "$path" "$script" "$mode" "$BENCH_WARMUP_SECONDS" "warmup-$path-$script-$mode" >/dev/null
    done
done

declare -A tps cpu acpu
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for row in $BENCH_ROWS; do
        script="${row%%:*}" mode="${row##*:}"
        [[ $script == select-only ]] || psql -q -h "$HOST" -p "$source_port" -U "$PG_USER" -c CHECKPOINT "$PG_DB"
        for ((k = 0; k < ${#paths[@]}; k++)); do
            # Rotate which path goes first, so that drift does not always favour the same one.
            path="${paths[$(((r + k) % ${#paths[@]}))]}"
            read -r t c a <<<"$(run_pgbench "$path" "$script" "$mode" "$BENCH_SECONDS" "$path-$script-$mode-$r")"
            tps["$row $path"]+="$t "
            cpu["$row $path"]+="$c "
            acpu["$row $path"]+="$a "
            log "repeat $r $script -M $mode $path: $t tps, proxy CPU ${c} µs/tx, analyzer CPU ${a} µs/tx"
        done
    done
done

# Issue 19: the analyzer killed mid-run costs clients nothing. Last, since it ends the analyzer: the first row once more
# through pass-through+capture, with the analyzer (and its store) killed.
first_row="${BENCH_ROWS%% *}"
down_script="${first_row%%:*}" down_mode="${first_row##*:}"
store_postmaster="$(head -n 1 "$WORK/store/postmaster.pid" 2>/dev/null || true)"
log "Killing the analyzer (kill -9) and its store; then ${BENCH_SECONDS}s $down_script through pass-through+capture"
kill -9 "${PID_OF[analyzer]}" 2>/dev/null || true
[[ -n $store_postmaster ]] && kill -QUIT "$store_postmaster" 2>/dev/null || true
read -r down_tps down_cpu _ <<<"$(run_pgbench pass-through+capture "$down_script" "$down_mode" "$BENCH_SECONDS" \
    "analyzer-down-$down_script-$down_mode")"
down_failed="$(awk -F': ' '/^number of failed transactions/ { print $2 + 0 }' \
    "$WORK/analyzer-down-$down_script-$down_mode.log")"

echo
echo "## Capture, pgbench $BENCH_CLIENTS clients, scale $BENCH_SCALE, ${BENCH_SECONDS}s x $BENCH_REPEAT, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Medians; capture on = statements captured (sample rate ${EXODUS_CAPTURE_SAMPLE_RATE:-1}, parameters" \
    "${EXODUS_CAPTURE_PARAMETERS:-off}) and shipped to the analyzer running on the same machine. Load average at the" \
    "end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| script | mode | path | TPS | ratio to direct | proxy CPU µs/tx | analyzer CPU µs/tx | capture on/off TPS | TPS of each repeat |"
echo "|---|---|---|---|---|---|---|---|---|"
for row in $BENCH_ROWS; do
    script="${row%%:*}" mode="${row##*:}"
    direct="$(echo "${tps["$row direct"]}" | median)"
    for path in "${paths[@]}"; do
        t="$(echo "${tps["$row $path"]}" | median)"
        onoff=""
        [[ $path == *+capture ]] && onoff="$(ratio "$t" "$(echo "${tps["$row ${path%+capture}"]}" | median)")"
        c="–"
        [[ $path == direct ]] || c="$(echo "${cpu["$row $path"]}" | median)"
        a="$(echo "${acpu["$row $path"]}" | median)"
        echo "| $script | $mode | $path | $t | $(ratio "$t" "$direct") | $c | $a | $onoff | ${tps["$row $path"]% } |"
    done
done
echo
echo "Analyzer killed: $down_script -M $down_mode through pass-through+capture gave $down_tps TPS (proxy CPU $down_cpu µs/tx," \
    "${down_failed:-?} failed transactions), against $(echo "${tps["$first_row pass-through+capture"]}" | median) TPS" \
    "with the analyzer up and $(echo "${tps["$first_row pass-through"]}" | median) without capture."
echo
echo "Capture: pass-through $(capture_status pass-through+capture); dual-write $(capture_status dual-write+capture)."
