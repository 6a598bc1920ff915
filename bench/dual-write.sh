#!/usr/bin/env bash
# Dual-write benchmark: pgbench TPC-B-like straight to the source ("direct") and through Exodus in phase dual-write
# under several consistency policies, interleaved in one run against the same two servers, so that each policy's
# TPS reads as a ratio to direct measured minutes apart on the same machine. Through Exodus every write runs on two
# databases, which here share the machine's cores with each other, with pgbench and with the proxy.
#
# Usage: bench/dual-write.sh     (docs/benchmarks.md, "Dual-write", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=20                 duration of each timed run
#   BENCH_WARMUP_SECONDS=20          untimed run through the proxy first, per -M mode (JIT)
#   BENCH_SCALE=10                   pgbench -i scale factor (on both servers)
#   BENCH_CLIENTS=8                  pgbench -c (jobs: 2)
#   BENCH_MODES="simple prepared"    pgbench -M values
#   BENCH_POLICIES="both-required two-phase-commit best-effort"
#   BENCH_REPEAT=1                   interleaved repeats; the table shows medians
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
#   BENCH_UNIX_SOCKETS=false         true: the proxy reaches both servers over their Unix sockets (pgbench still
#                                    connects over TCP, to the proxy and "direct" to the source alike)
#   BENCH_PROXY_APP=exodus-proxy/target/quarkus-app
#                                    the packaged proxy to run: another build's quarkus-app folder, for an A/B
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-20}"
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_MODES="${BENCH_MODES:-simple prepared}"
BENCH_POLICIES="${BENCH_POLICIES:-both-required two-phase-commit best-effort}"
BENCH_REPEAT="${BENCH_REPEAT:-1}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
BENCH_UNIX_SOCKETS="${BENCH_UNIX_SOCKETS:-false}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[dual-write bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
BENCH_PROXY_APP="${BENCH_PROXY_APP:-$REPO_ROOT/exodus-proxy/target/quarkus-app}"
if [[ ! -f "$BENCH_PROXY_APP/quarkus-run.jar" ]]; then
    log "Building the proxy"
    (cd "$REPO_ROOT" && ./mvnw -B -q install -DskipTests) || die "build failed"
fi

WORK="$(mktemp -d /tmp/exodus-dual-bench.XXXXXX)"
cp -r "$BENCH_PROXY_APP" "$WORK/app"
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
log "Starting Exodus in phase dual-write with two embedded servers (source $source_port, target $target_port)"
# shellcheck disable=SC2086 # options list
env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false EXODUS_LISTEN_PORT="$listen_port" QUARKUS_HTTP_PORT="$http_port" \
    EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
    EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=dual-write \
    EXODUS_ADMIN_TOKEN="$TOKEN" EXODUS_EMBEDDED_UNIX_SOCKETS="$BENCH_UNIX_SOCKETS" java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null \
    >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 600); do
    can_connect "$listen_port" && break
    kill -0 "$PROXY_PID" 2>/dev/null || { cat "$WORK/proxy.log" >&2; die "the proxy exited"; }
    sleep 0.2
done
can_connect "$listen_port" || die "the proxy did not listen"

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

set_policy() {
    curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"policy\":\"$1\"}" "http://$HOST:$http_port/exodus/migration/policy" >/dev/null \
        || die "could not switch the policy to $1"
}

# shellcheck source=bench/lib/measure.sh
source "$REPO_ROOT/bench/lib/measure.sh"
# Echoes "TPS proxy source target": TPS and the CPU µs per transaction of the proxy and of each server.
run_pgbench() {
    local port="$1" mode="$2" label="$3"
    local out="$WORK/$label.log" proxy0 source0 target0
    proxy0="$(cpu_ticks "$PROXY_PID")"
    source0="$(server_ticks "$SOURCE_PM")"
    target0="$(server_ticks "$TARGET_PM")"
    if ! pgbench -n -h "$HOST" -p "$port" -U "$PG_USER" -M "$mode" -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" \
        "$PG_DB" >"$out" 2>&1; then
        log "pgbench failed for $label: $(tail -n 3 "$out" | tr '\n' ' ')"
        echo "0 0 0 0"
        return
    fi
    sleep 0.5 # the postmasters reap the benchmark's backends
    local tps count
    tps="$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$out")"
    count="$(awk -F': ' '/^number of transactions actually processed/ { print $2 + 0 }' "$out")"
    echo "$tps $(per_transaction $(($(cpu_ticks "$PROXY_PID") - proxy0)) "$count")" \
        "$(per_transaction $(($(server_ticks "$SOURCE_PM") - source0)) "$count")" \
        "$(per_transaction $(($(server_ticks "$TARGET_PM") - target0)) "$count")"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

SOURCE_PM="$(postmaster_of "$source_port")" || die "cannot find the source's postmaster"
TARGET_PM="$(postmaster_of "$target_port")" || die "cannot find the target's postmaster"

# Each protocol takes its own paths through the proxy: the JIT compiles them all before anything is timed.
set_policy both-required
for mode in $BENCH_MODES; do
    log "Warm-up: ${BENCH_WARMUP_SECONDS}s through the proxy, -M $mode"
    pgbench -n -h "$HOST" -p "$listen_port" -U "$PG_USER" -M "$mode" -c "$BENCH_CLIENTS" -j 2 \
        -T "$BENCH_WARMUP_SECONDS" "$PG_DB" >"$WORK/warmup-$mode.log" 2>&1 \
        || die "warm-up failed: $(tail -n 3 "$WORK/warmup-$mode.log")"
done

declare -A results proxycpu sourcecpu targetcpu
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for mode in $BENCH_MODES; do
        read -r tps proxy_us source_us target_us <<<"$(run_pgbench "$source_port" "$mode" "direct-$mode-$r")"
        results["direct $mode"]+="$tps "
        sourcecpu["direct $mode"]+="$source_us "
        log "repeat $r -M $mode direct: $tps tps, source CPU ${source_us} µs/tx"
        for policy in $BENCH_POLICIES; do
            set_policy "$policy"
            read -r tps proxy_us source_us target_us <<<"$(run_pgbench "$listen_port" "$mode" "$policy-$mode-$r")"
            results["$policy $mode"]+="$tps "
            proxycpu["$policy $mode"]+="$proxy_us "
            sourcecpu["$policy $mode"]+="$source_us "
            targetcpu["$policy $mode"]+="$target_us "
            log "repeat $r -M $mode $policy: $tps tps, CPU µs/tx proxy ${proxy_us}, source ${source_us}, target ${target_us}"
        done
    done
done

nproc_count="$(nproc)"
echo
echo "## Dual-write, pgbench tpcb-like, $BENCH_CLIENTS clients, scale $BENCH_SCALE, ${BENCH_SECONDS}s x $BENCH_REPEAT, $nproc_count cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "CPU time per transaction (µs, medians): the proxy process, and each PostgreSQL server (postmaster and backends)."
echo
echo "| mode | path | TPS (median) | ratio to direct | proxy CPU | source CPU | target CPU |"
echo "|---|---|---|---|---|---|---|"
for mode in $BENCH_MODES; do
    direct="$(echo "${results["direct $mode"]}" | median)"
    echo "| $mode | direct (source only) | $direct | 1.00 | – | $(echo "${sourcecpu["direct $mode"]}" | median) | – |"
    for policy in $BENCH_POLICIES; do
        tps="$(echo "${results["$policy $mode"]}" | median)"
        ratio="$(awk -v a="$tps" -v b="$direct" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        echo "| $mode | Exodus $policy | $tps | $ratio | $(echo "${proxycpu["$policy $mode"]}" | median)" \
            "| $(echo "${sourcecpu["$policy $mode"]}" | median) | $(echo "${targetcpu["$policy $mode"]}" | median) |"
    done
done
echo
echo "Divergence log lines during the run: $(grep -c "Divergence" "$WORK/proxy.log" || true)"
# What they say, and the ERROR lines around them (a transaction found on one side only says why).
grep -E "Divergence|ERROR" "$WORK/proxy.log" | head -5 | cut -c1-400 | sed 's/^/    /' || true
