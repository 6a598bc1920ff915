#!/usr/bin/env bash
# Initial sync under load: pgbench TPC-B-like runs through Exodus in phase direct against a source with data and an
# empty target; meanwhile POST /exodus/migration/sync copies schema and rows, catches up, pauses new transactions,
# switches to dual-write and resumes. Then POST /exodus/migration/verify compares every row. Reports, per repeat:
# the copy's rows/s, the switch pause, the clients' latency around the switch (pgbench -l: p99 and max of the
# transactions that completed from 3 s before the sync ended to 1 s after), pgbench's TPS and failed transactions,
# and the verification's verdict; then the pause's median, p99 and max over the repeats.
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

BENCH_NAME=sync
# shellcheck source=lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
start_embedded_proxy

# shellcheck source=lib/sync-runs.sh
source "$REPO_ROOT/bench/lib/sync-runs.sh"

log "pgbench -i -s $BENCH_SCALE on the source; the target stays empty"
pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }

declare -a rows_per_second pauses tps_list failures verdicts windows
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    if ((r > 1)); then
        back_to_direct_with_an_empty_target
    fi
    log "repeat $r: pgbench ${BENCH_SECONDS}s through the proxy, sync after 3 s"
    pgbench -n -h "$HOST" -p "$listen_port" -U "$PG_USER" -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" -P 5 \
        -l --log-prefix="$WORK/tx-$r" "$PG_DB" >"$WORK/pgbench-$r.log" 2>&1 &
    pgbench_pid=$!
    sleep 3
    run_sync_to_done
    rows_per_second+=("$(echo "$status" | json "round(d['sync']['rowsPerSecond'] or 0)")")
    pauses+=("$(echo "$status" | json "d['sync']['switchPauseMillis']")")
    if kill -0 "$pgbench_pid" 2>/dev/null; then :; else log "pgbench ended before the sync: make BENCH_SECONDS longer"; fi
    wait "$pgbench_pid" || log "pgbench exited non-zero: $(tail -n 3 "$WORK/pgbench-$r.log" | tr '\n' ' ')"
    tps_list+=("$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$WORK/pgbench-$r.log")")
    failures+=("$(awk -F': ' '/^number of failed transactions/ { split($2, f, " "); print f[1] + 0 }' \
        "$WORK/pgbench-$r.log")")
    read -r in_window p99_window max_window p99_rest < <(python3 "$REPO_ROOT/bench/lib/latency-window.py" \
        "$(echo "$status" | json "d['sync']['finishedAt']")" "$WORK"/tx-"$r".*)
    windows+=("$in_window transactions, p99 $p99_window ms, max $max_window ms (rest of the run: p99 $p99_rest ms)")
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
echo "| repeat | copy rows/s | switch pause (ms) | client latency around the switch | pgbench TPS over the run | failed transactions | verification after |"
echo "|---|---|---|---|---|---|---|"
for ((i = 0; i < BENCH_REPEAT; i++)); do
    echo "| $((i + 1)) | ${rows_per_second[i]} | ${pauses[i]} | ${windows[i]} | ${tps_list[i]} | ${failures[i]:-0} | ${verdicts[i]} |"
done
echo
echo "switch pause over the repeats: $(printf '%s\n' "${pauses[@]}" | sort -n | python3 -c '
import sys
v = sorted(float(x) for x in sys.stdin if x.strip())
p = lambda f: v[min(len(v) - 1, int(f * len(v)))]
print("n %d, median %.0f ms, p99 %.0f ms, max %.0f ms" % (len(v), p(0.5), p(0.99), v[-1]))')"
