#!/usr/bin/env bash
# Cutover and rollback under load: the proxy on the embedded default, pgbench -i on the source, POST
# /exodus/migration/sync to bring the target up and turn dual-write on; then pgbench TPC-B-like through Exodus
# (prepared statements, so that the driver's statements move with each session) while POST
# /exodus/migration/cutover and /rollback alternate. Reports each switch's pause (as the proxy measured it, and the
# HTTP call's own time), pgbench's TPS and failed transactions, and a row-by-row verification afterwards.
#
# Usage: bench/cutover.sh          (docs/benchmarks.md, "Cutover and rollback under load", says how to read it)
# Knobs (environment):
#   BENCH_SCALE=5             pgbench -i scale on the source (100,000 accounts per unit)
#   BENCH_CLIENTS=16          pgbench -c through the proxy (jobs: 2)
#   BENCH_SWITCHES=10         cutover + rollback pairs while pgbench runs
#   BENCH_SETTLE=2            seconds between two switches
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SCALE="${BENCH_SCALE:-5}"
BENCH_CLIENTS="${BENCH_CLIENTS:-16}"
BENCH_SWITCHES="${BENCH_SWITCHES:-10}"
BENCH_SETTLE="${BENCH_SETTLE:-2}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

BENCH_NAME=cutover
# shellcheck source=lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
start_embedded_proxy

# Prints the answer's body, then its HTTP status and the call's seconds on a last line of their own.
api() {
    local method="$1" path="$2" body="${3:-}"
    curl -s -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -H 'X-Exodus-Actor: bench/cutover.sh' ${body:+-d "$body"} -w '\n%{http_code} %{time_total}' \
        "http://$HOST:$http_port$path"
}

log "pgbench -i -s $BENCH_SCALE on the source, then the initial sync to the empty target"
pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }
api POST /exodus/migration/sync '{}' >/dev/null
for _ in $(seq 1 1200); do
    state="$(api GET /exodus/migration | head -n -1 | json "d['sync']['state']")"
    [[ $state == done || $state == failed ]] && break
    sleep 0.5
done
[[ $state == done ]] || die "the sync ended $state"

# Verifies the database whole and leaves the finished report in $report.
verify() {
    api POST /exodus/migration/verify '{}' >/dev/null
    for _ in $(seq 1 1200); do
        report="$(api GET /exodus/migration/verification | head -n -1)"
        [[ $(echo "$report" | json "d['state']") != running ]] && break
        sleep 0.5
    done
}
# A cutover needs a verification of the whole database within exodus.migration.cutover.max-verification-age.
log "verifying the synced target"
verify
[[ $(echo "$report" | json "d['identical']") == True ]] || die "the synced target differs: $report"

# Each switch takes its settle time plus up to a second or two: pgbench must outlast them all.
seconds=$(( BENCH_SWITCHES * 2 * (BENCH_SETTLE + 2) + 10 ))
log "pgbench -M prepared, $BENCH_CLIENTS clients, ${seconds}s through the proxy; $BENCH_SWITCHES cutover/rollback pairs"
pgbench -n -M prepared -h "$HOST" -p "$listen_port" -U "$PG_USER" -c "$BENCH_CLIENTS" -j 2 -T "$seconds" \
    "$PG_DB" >"$WORK/pgbench.log" 2>&1 &
PGBENCH_PID=$!
BACKGROUND_PIDS+=("$PGBENCH_PID")
sleep 3
declare -a kinds pauses calls
for ((s = 1; s <= BENCH_SWITCHES; s++)); do
    for step in cutover rollback; do
        kill -0 "$PGBENCH_PID" 2>/dev/null || die "pgbench ended before switch $s: raise its duration in the script"
        answer="$(api POST "/exodus/migration/$step" '{"reason": "benchmark"}')"
        status_line="$(echo "$answer" | tail -n 1)"
        body="$(echo "$answer" | head -n -1)"
        [[ ${status_line%% *} == 200 ]] || die "$step answered ${status_line%% *}: $body"
        kinds+=("$step")
        pauses+=("$(echo "$body" | json "d['pauseMs']")")
        calls+=("$(python3 -c "print(round(${status_line#* } * 1000))")")
        log "$step $s: pause ${pauses[-1]} ms (HTTP call ${calls[-1]} ms)"
        sleep "$BENCH_SETTLE"
    done
done
wait "$PGBENCH_PID" || log "pgbench exited non-zero: $(tail -n 3 "$WORK/pgbench.log" | tr '\n' ' ')"
tps="$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$WORK/pgbench.log")"
failed="$(awk -F': ' '/^number of failed transactions/ { split($2, f, " "); print f[1] + 0 }' "$WORK/pgbench.log")"
verify
verdict="$(echo "$report" | json "'identical' if d['identical'] else 'DIFFERENT'")"

summary() {
    python3 - "$@" <<'EOF'
import sys
values = sorted(int(v) for v in sys.argv[1:])
def pct(p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
print(f"{pct(50)} | {pct(99)} | {values[-1]}")
EOF
}
cutover_pauses=(); rollback_pauses=(); cutover_calls=(); rollback_calls=()
for i in "${!kinds[@]}"; do
    if [[ ${kinds[i]} == cutover ]]; then cutover_pauses+=("${pauses[i]}"); cutover_calls+=("${calls[i]}");
    else rollback_pauses+=("${pauses[i]}"); rollback_calls+=("${calls[i]}"); fi
done

echo
echo "## Cutover and rollback under load: pgbench tpcb-like -M prepared, $BENCH_CLIENTS clients through Exodus," \
    "scale $BENCH_SCALE, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| switch | count | pause p50 (ms) | pause p99 | pause max | HTTP call p50 (ms) | p99 | max |"
echo "|---|---|---|---|---|---|---|---|"
echo "| cutover | ${#cutover_pauses[@]} | $(summary "${cutover_pauses[@]}") | $(summary "${cutover_calls[@]}") |"
echo "| rollback | ${#rollback_pauses[@]} | $(summary "${rollback_pauses[@]}") | $(summary "${rollback_calls[@]}") |"
echo
echo "pgbench: ${tps} TPS over the run, ${failed:-0} failed transactions; verification afterwards: $verdict"
