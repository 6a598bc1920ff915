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
#   BENCH_AB_APP=                    a second proxy ("B") in the same run, in front of the same two servers (a fleet of
#                                    its own): another build's quarkus-app folder; each policy runs through both, in
#                                    turn, and the table gets a row for each
#   BENCH_AB_JAVA_OPTS=$BENCH_JAVA_OPTS  the second proxy's JVM options
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
BENCH_AB_APP="${BENCH_AB_APP:-}"
BENCH_AB_JAVA_OPTS="${BENCH_AB_JAVA_OPTS-$BENCH_JAVA_OPTS}"
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
[[ -z $BENCH_AB_APP ]] || cp -r "$BENCH_AB_APP" "$WORK/app-b"
PROXY_PID=""
PROXY_B_PID=""
cleanup() {
    [[ -z $PROXY_B_PID ]] || kill -TERM "$PROXY_B_PID" 2>/dev/null || true
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
# shellcheck source=bench/lib/listening.sh
source "$REPO_ROOT/bench/lib/listening.sh"
await_listening "$listen_port" "$PROXY_PID" "$WORK/proxy.log" "the proxy"

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

declare -A LISTEN_OF=([A]="$listen_port") HTTP_OF=([A]="$http_port") PID_OF=([A]="$PROXY_PID")
PROXIES="A"
if [[ -n $BENCH_AB_APP ]]; then
    b_listen="$(free_port)"
    b_http="$(free_port)"
    log "Starting proxy B ($BENCH_AB_APP) on port $b_listen, in front of the same servers"
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false EXODUS_LISTEN_PORT="$b_listen" \
        QUARKUS_HTTP_PORT="$b_http" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=dual-write \
        EXODUS_ADMIN_TOKEN="$TOKEN" EXODUS_CONTROL_FLEET=bench-b \
        EXODUS_SOURCE_URL="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable" \
        EXODUS_TARGET_URL="postgresql://$PG_USER:$PASSWORD@$HOST:$target_port/$PG_DB?sslmode=disable" \
        java $BENCH_AB_JAVA_OPTS -jar "$WORK/app-b/quarkus-run.jar" </dev/null >"$WORK/proxy-b.log" 2>&1 &
    PROXY_B_PID=$!
    await_listening "$b_listen" "$PROXY_B_PID" "$WORK/proxy-b.log" "proxy B"
    LISTEN_OF[B]="$b_listen"
    HTTP_OF[B]="$b_http"
    PID_OF[B]="$PROXY_B_PID"
    PROXIES="A B"
fi

# set_policy PROXY POLICY
set_policy() {
    curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"policy\":\"$2\"}" "http://$HOST:${HTTP_OF[$1]}/exodus/migration/policy" >/dev/null \
        || die "could not switch proxy $1's policy to $2"
}

# shellcheck source=bench/lib/measure.sh
source "$REPO_ROOT/bench/lib/measure.sh"
# Echoes "TPS proxy source target": TPS and the CPU µs per transaction of the proxy and of each server.
run_pgbench() {
    local port="$1" mode="$2" label="$3" proxy_pid="${4:-$PROXY_PID}"
    local out="$WORK/$label.log" proxy0 source0 target0
    proxy0="$(cpu_ticks "$proxy_pid")"
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
    echo "$tps $(per_transaction $(($(cpu_ticks "$proxy_pid") - proxy0)) "$count")" \
        "$(per_transaction $(($(server_ticks "$SOURCE_PM") - source0)) "$count")" \
        "$(per_transaction $(($(server_ticks "$TARGET_PM") - target0)) "$count")"
}

# Echoes "step sum_seconds count" for each step of exodus.commit.steps under policy $2, from proxy $1's Prometheus.
commit_steps() {
    curl -sf "http://$HOST:${HTTP_OF[$1]}/q/metrics" | awk -v policy="$2" '
        /^exodus_commit_steps_seconds_(sum|count)\{/ && index($0, "policy=\"" policy "\"") {
            match($0, /step="[^"]*"/); step = substr($0, RSTART + 6, RLENGTH - 7)
            if ($0 ~ /_sum\{/) sum[step] = $NF; else count[step] = $NF
        }
        END { for (s in count) print s, sum[s], count[s] }'
}

# Echoes "step=µs ..." for what each step of the policy's commits took on average between two commit_steps readings.
step_means() {
    awk 'NR == FNR { sum0[$1] = $2; count0[$1] = $3; next }
        { n = $3 - count0[$1]; if (n > 0) printf "%s=%.0f ", $1, ($2 - sum0[$1]) * 1e6 / n }' "$1" "$2"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

SOURCE_PM="$(postmaster_of "$source_port")" || die "cannot find the source's postmaster"
TARGET_PM="$(postmaster_of "$target_port")" || die "cannot find the target's postmaster"

# Each protocol takes its own paths through the proxy: the JIT compiles them all before anything is timed.
for proxy in $PROXIES; do
    set_policy "$proxy" both-required
    for mode in $BENCH_MODES; do
        log "Warm-up: ${BENCH_WARMUP_SECONDS}s through proxy $proxy, -M $mode"
        pgbench -n -h "$HOST" -p "${LISTEN_OF[$proxy]}" -U "$PG_USER" -M "$mode" -c "$BENCH_CLIENTS" -j 2 \
            -T "$BENCH_WARMUP_SECONDS" "$PG_DB" >"$WORK/warmup-$proxy-$mode.log" 2>&1 \
            || die "warm-up failed: $(tail -n 3 "$WORK/warmup-$proxy-$mode.log")"
    done
done

declare -A results proxycpu sourcecpu targetcpu steps
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for mode in $BENCH_MODES; do
        read -r tps proxy_us source_us target_us <<<"$(run_pgbench "$source_port" "$mode" "direct-$mode-$r")"
        results["direct $mode"]+="$tps "
        sourcecpu["direct $mode"]+="$source_us "
        log "repeat $r -M $mode direct: $tps tps, source CPU ${source_us} µs/tx"
        for policy in $BENCH_POLICIES; do
            # With two proxies, which goes first alternates from one repeat to the next.
            order="$PROXIES"
            ((r % 2 == 0)) && [[ $PROXIES == "A B" ]] && order="B A"
            for proxy in $order; do
                key="$policy $mode"
                [[ $proxy == A ]] || key="$policy $mode $proxy"
                set_policy "$proxy" "$policy"
                commit_steps "$proxy" "$policy" >"$WORK/steps-before"
                read -r tps proxy_us source_us target_us <<<"$(run_pgbench "${LISTEN_OF[$proxy]}" "$mode" \
                    "$policy-$mode-$r-$proxy" "${PID_OF[$proxy]}")"
                commit_steps "$proxy" "$policy" >"$WORK/steps-after"
                steps["$key"]+="$(step_means "$WORK/steps-before" "$WORK/steps-after")
"
                results["$key"]+="$tps "
                proxycpu["$key"]+="$proxy_us "
                sourcecpu["$key"]+="$source_us "
                targetcpu["$key"]+="$target_us "
                log "repeat $r -M $mode $policy (proxy $proxy): $tps tps, CPU µs/tx proxy ${proxy_us}, source ${source_us}, target ${target_us}"
            done
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
        for proxy in $PROXIES; do
            key="$policy $mode"
            label="Exodus $policy"
            [[ $proxy == A ]] || { key="$policy $mode $proxy"; label="Exodus B $policy"; }
            tps="$(echo "${results["$key"]}" | median)"
            ratio="$(awk -v a="$tps" -v b="$direct" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
            echo "| $mode | $label | $tps | $ratio | $(echo "${proxycpu["$key"]}" | median)" \
                "| $(echo "${sourcecpu["$key"]}" | median) | $(echo "${targetcpu["$key"]}" | median) |"
        done
    done
done
echo
echo "Where a transaction's rows stay locked on the source (exodus.commit.steps, mean µs per commit of each repeat):"
echo "from the source's answer to the last write (after-last-write: the client's next statements and COMMIT) until"
echo "its COMMIT or COMMIT PREPARED answered (held)."
echo
for mode in $BENCH_MODES; do
    for policy in $BENCH_POLICIES; do
        for proxy in $PROXIES; do
            key="$policy $mode"
            [[ $proxy == A ]] || key="$policy $mode $proxy"
            printf '%s' "${steps["$key"]}" | while read -r line; do
                [[ -n $line ]] && echo "    $mode $policy (proxy $proxy): $line"
            done
        done
    done
done
echo
echo "Divergence log lines during the run: $(grep -c "Divergence" "$WORK/proxy.log" || true)"
# What they say, and the ERROR lines around them (a transaction found on one side only says why).
grep -E "Divergence|ERROR" "$WORK/proxy.log" | head -5 | cut -c1-400 | sed 's/^/    /' || true
