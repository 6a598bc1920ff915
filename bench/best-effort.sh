#!/usr/bin/env bash
# Best-effort benchmark (issue 15, ADR 0049): pgbench TPC-B-like straight to the source ("direct"), through Exodus in
# phase direct (pass-through), and through Exodus in phase dual-write under best-effort, live (the target beside the
# source) and queued (the target through the replay queue), interleaved in one run against the same two servers.
# After each queued run the script waits for the queue to drain and reports the depth the run left and how long the
# drain took: the applier's lag behind that write rate.
#
# Usage: bench/best-effort.sh     (docs/benchmarks.md, "Best-effort", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=15                 duration of each timed run
#   BENCH_WARMUP_SECONDS=10          untimed run through each proxy first, per client count (JIT)
#   BENCH_SCALE=10                   pgbench -i scale factor (on both servers)
#   BENCH_CLIENTS="1 8"              pgbench -c values (jobs: min(clients, 2))
#   BENCH_MODE=prepared              pgbench -M
#   BENCH_REPEAT=3                   interleaved repeats; the table shows medians
#   BENCH_TARGET_DELAY_MS=0          >0: the dual-write proxies reach the target through a relay that delays every
#                                    byte by this much each way (a target in another zone; bench/lib/delay-relay.py)
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SECONDS="${BENCH_SECONDS:-15}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-10}"
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_CLIENTS="${BENCH_CLIENTS:-1 8}"
BENCH_MODE="${BENCH_MODE:-prepared}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
BENCH_TARGET_DELAY_MS="${BENCH_TARGET_DELAY_MS:-0}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10
BENCH_NAME=best-effort
# shellcheck source=bench/lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
# shellcheck source=bench/lib/measure.sh
source "$REPO_ROOT/bench/lib/measure.sh"

declare -A PID_OF PORT_OF
# Starts a proxy named $1 listening on $2 with the given environment, in front of the embedded servers; records its
# PID. Each is a fleet of its own: replicas of one fleet obey one phase and policy, stored on the source. Not to be called in a command substitution: its PID must reach BACKGROUND_PIDS in this shell, for the cleanup.
start_proxy() {
    local name="$1" port="$2"
    shift 2
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false QUARKUS_HTTP_PORT="$(free_port)" \
        EXODUS_LISTEN_PORT="$port" EXODUS_TLS_MODE=disable EXODUS_ADMIN_TOKEN="$TOKEN" EXODUS_CONTROL_FLEET="bench-$name" "$@" \
        java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null >"$WORK/$name.log" 2>&1 &
    local pid=$!
    BACKGROUND_PIDS+=("$pid")
    PID_OF[$name]="$pid"
    PORT_OF[$name]="$port"
    await_listening "$port" "$pid" "$WORK/$name.log" "$name"
}

start_embedded_proxy
PID_OF[pass-through]="$PROXY_PID"
PORT_OF[pass-through]="$listen_port"
source_url="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable"
target_reached="$target_port"
if [[ $BENCH_TARGET_DELAY_MS != 0 ]]; then
    # A target in another zone: every byte to and from it arrives BENCH_TARGET_DELAY_MS later, in order.
    target_reached="$(free_port)"
    python3 "$REPO_ROOT/bench/lib/delay-relay.py" "$target_reached" "$target_port" "$BENCH_TARGET_DELAY_MS" \
        >"$WORK/delay-relay.log" 2>&1 &
    BACKGROUND_PIDS+=("$!")
    for _ in $(seq 1 100); do can_connect "$target_reached" && break; sleep 0.1; done
fi
target_url="postgresql://$PG_USER:$PASSWORD@$HOST:$target_reached/$PG_DB?sslmode=disable"
log "Starting best-effort live and best-effort queued in front of the same servers (target delay ${BENCH_TARGET_DELAY_MS} ms)"
start_proxy live "$(free_port)" EXODUS_SOURCE_URL="$source_url" EXODUS_TARGET_URL="$target_url" \
    EXODUS_MIGRATION_PHASE=dual-write EXODUS_MIGRATION_POLICY=best-effort EXODUS_MIGRATION_PROXY_ID=bench-live
start_proxy queued "$(free_port)" EXODUS_SOURCE_URL="$source_url" EXODUS_TARGET_URL="$target_url" \
    EXODUS_MIGRATION_PHASE=dual-write EXODUS_MIGRATION_POLICY=best-effort EXODUS_REPLAY_BEST_EFFORT_MODE=queued \
    EXODUS_MIGRATION_PROXY_ID=bench-queued EXODUS_REPLAY_POLL_INTERVAL=200ms
PORT_OF[direct]="$source_port"

for port in "$source_port" "$target_port"; do
    log "pgbench -i -s $BENCH_SCALE on port $port"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
done

SOURCE_PM="$(postmaster_of "$source_port")" || die "cannot find the source's postmaster"
TARGET_PM="$(postmaster_of "$target_port")" || die "cannot find the target's postmaster"
# Echoes "TPS latency-ms proxy source target": the CPU µs per transaction of the proxy of the path and of each server,
# of one pgbench run through $1 (a path) with $2 clients. The queued proxy's count includes its replayer's work.
run_pgbench() {
    local path="$1" clients="$2" seconds="$3" label="$4"
    local out="$WORK/$label.log" pid="${PID_OF[$path]:-}" before=0 jobs=2 source0 target0
    ((clients < 2)) && jobs=1
    [[ -n $pid ]] && before="$(cpu_ticks "$pid")"
    source0="$(server_ticks "$SOURCE_PM")"
    target0="$(server_ticks "$TARGET_PM")"
    if ! pgbench -n -h "$HOST" -p "${PORT_OF[$path]}" -U "$PG_USER" -M "$BENCH_MODE" -c "$clients" -j "$jobs" \
        -T "$seconds" "$PG_DB" >"$out" 2>&1; then
        log "pgbench failed for $label: $(tail -n 3 "$out" | tr '\n' ' ')"
        echo "0 0 0 0 0"
        return
    fi
    sleep 0.5 # the postmasters reap the benchmark's backends
    local tps latency count cpu=0
    tps="$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$out")"
    latency="$(awk '/^latency average/ { print $4 }' "$out")"
    count="$(awk -F': ' '/^number of transactions actually processed/ { print $2 + 0 }' "$out")"
    [[ -n $pid ]] && cpu="$(per_transaction $(($(cpu_ticks "$pid") - before)) "$count")"
    echo "$tps $latency $cpu $(per_transaction $(($(server_ticks "$SOURCE_PM") - source0)) "$count")" \
        "$(per_transaction $(($(server_ticks "$TARGET_PM") - target0)) "$count")"
}
# The queued proxy's replay depth, then waits for it to reach 0; echoes "depth-at-end drain-seconds".
drain_queue() {
    local depth started now
    depth="$(queue_depth)"
    started="$(date +%s.%N)"
    for _ in $(seq 1 3000); do
        [[ "$(queue_depth)" == 0 ]] && break
        sleep 0.1
    done
    now="$(date +%s.%N)"
    echo "$depth $(awk -v a="$started" -v b="$now" 'BEGIN { printf "%.1f", b - a }')"
}
queue_depth() {
    psql -Atq -h "$HOST" -p "$source_port" -U "$PG_USER" -c "SELECT count(*) FROM exodus.replay_queue" "$PG_DB" \
        2>/dev/null || echo 0
}
paths=(direct pass-through live queued)
for clients in $BENCH_CLIENTS; do
    for path in "${paths[@]:1}"; do
        log "Warm-up: ${BENCH_WARMUP_SECONDS}s with $clients clients through $path"
        run_pgbench "$path" "$clients" "$BENCH_WARMUP_SECONDS" "warmup-$path-$clients" >/dev/null
        [[ $path == queued ]] && drain_queue >/dev/null
    done
done

declare -A tps lat cpu scpu tcpu depth drain
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for clients in $BENCH_CLIENTS; do
        psql -q -h "$HOST" -p "$source_port" -U "$PG_USER" -c CHECKPOINT "$PG_DB"
        for ((k = 0; k < ${#paths[@]}; k++)); do
            # Rotate which path goes first, so that drift does not always favour the same one.
            path="${paths[$(((r + k) % ${#paths[@]}))]}"
            read -r t l c sc tc <<<"$(run_pgbench "$path" "$clients" "$BENCH_SECONDS" "$path-$clients-$r")"
            tps["$clients $path"]+="$t "
            lat["$clients $path"]+="$l "
            cpu["$clients $path"]+="$c "
            scpu["$clients $path"]+="$sc "
            tcpu["$clients $path"]+="$tc "
            note=""
            if [[ $path == queued ]]; then
                read -r d s <<<"$(drain_queue)"
                depth["$clients"]+="$d "
                drain["$clients"]+="$s "
                note=", left $d queued, drained in ${s}s"
            fi
            log "repeat $r, $clients clients, $path: $t tps, $l ms, CPU µs/tx proxy $c source $sc target $tc$note"
        done
    done
done

echo
echo "## Best-effort, pgbench TPC-B -M $BENCH_MODE, scale $BENCH_SCALE, ${BENCH_SECONDS}s x $BENCH_REPEAT, target delay ${BENCH_TARGET_DELAY_MS} ms each way, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Medians. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). (Direct and pass-through write the source only:"
echo "the two servers differ afterwards; BestEffortQueuedTest checks convergence.)"
echo
echo "| clients | path | TPS | ratio to direct | latency ms | latency / pass-through | CPU µs/tx: proxy | source | target | TPS of each repeat |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for clients in $BENCH_CLIENTS; do
    direct="$(echo "${tps["$clients direct"]}" | median)"
    through="$(echo "${lat["$clients pass-through"]}" | median)"
    for path in "${paths[@]}"; do
        t="$(echo "${tps["$clients $path"]}" | median)"
        l="$(echo "${lat["$clients $path"]}" | median)"
        c="–"
        [[ $path == direct ]] || c="$(echo "${cpu["$clients $path"]}" | median)"
        echo "| $clients | $path | $t | $(ratio "$t" "$direct") | $l | $(ratio "$l" "$through") | $c |" \
            "$(echo "${scpu["$clients $path"]}" | median) | $(echo "${tcpu["$clients $path"]}" | median) |" \
            "${tps["$clients $path"]% } |"
    done
done
echo
for clients in $BENCH_CLIENTS; do
    echo "Queued, $clients clients: depth at the end of each run ${depth["$clients"]% }; drained in ${drain["$clients"]% } s."
done
