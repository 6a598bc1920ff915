#!/usr/bin/env bash
# Initial sync copy throughput against pg_dump/pg_restore: the same source data (pgbench -i, no load) copied to an
# empty target once by POST /exodus/migration/sync and once by `pg_dump -Fd -j2` + `pg_restore -j2`, interleaved in
# one run on the same servers. Reports, per repeat and tool: the wall time to an indexed target, rows/s and MB/s over
# it (MB: the COPY text bytes the sync moved, the same figure for both), and for the sync its copy of the rows alone
# and where its wall time went, step by step (the status's timings).
#
# Usage: bench/sync-throughput.sh      (docs/benchmarks.md, "Initial sync copy throughput", says how to read it)
# Knobs (environment):
#   BENCH_SCALE=10            pgbench -i scale on the source (100,000 accounts per unit)
#   BENCH_REPEAT=2            interleaved repeats (sync, then dump/restore)
#   BENCH_PARALLEL=2          exodus.sync.parallel-tables, and pg_dump/pg_restore -j
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
#   BENCH_SPLIT_MIN_BYTES=    exodus.sync.split-min-bytes (unset: the proxy's default, 64 MiB; a huge value turns the
#                             split off, to compare with the same build)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_REPEAT="${BENCH_REPEAT:-2}"
BENCH_PARALLEL="${BENCH_PARALLEL:-2}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10
export EXODUS_SYNC_PARALLEL_TABLES="$BENCH_PARALLEL"
if [[ -n ${BENCH_SPLIT_MIN_BYTES:-} ]]; then
    export EXODUS_SYNC_SPLIT_MIN_BYTES="$BENCH_SPLIT_MIN_BYTES"
fi

BENCH_NAME=sync-throughput
# shellcheck source=lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
for tool in pg_dump pg_restore createdb dropdb; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
start_embedded_proxy

# shellcheck source=lib/sync-runs.sh
source "$REPO_ROOT/bench/lib/sync-runs.sh"
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$1" "$2"; }
mb_rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e6 / float(sys.argv[2]):,.1f}')" "$1" "$2"; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

log "pgbench -i -s $BENCH_SCALE on the source; the target stays empty"
pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }
psql -qAt -h "$HOST" -p "$source_port" -U "$PG_USER" -d "$PG_DB" -c "ANALYZE" >/dev/null

declare -a lines steps
steps_header=""
bytes=0
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    if ((r > 1)); then
        back_to_direct_with_an_empty_target
    fi

    log "repeat $r: POST /exodus/migration/sync"
    started="$(now)"
    run_sync_to_done
    ended="$(now)"
    rows="$(echo "$status" | json "d['sync']['rowsCopied']")"
    bytes="$(echo "$status" | json "d['sync']['bytesCopied']")"
    per_second="$(echo "$status" | json "d['sync']['rowsPerSecond']")"
    copy_seconds="$(python3 -c "import sys; print(float(sys.argv[1]) / float(sys.argv[2]))" "$rows" "$per_second")"
    wall="$(seconds "$started" "$ended")"
    lines+=("| $r | Exodus sync (parallel-tables $BENCH_PARALLEL) | $wall | $(rate "$rows" "$wall") | $(mb_rate "$bytes" "$wall") | $(rate "$rows" "$copy_seconds") rows/s, $(mb_rate "$bytes" "$copy_seconds") MB/s |")
    log "repeat $r: sync ${lines[-1]}"
    if [[ -z $steps_header ]]; then
        steps_header="$(echo "$status" | json "' | '.join(['repeat'] + list(d['sync']['timings']) + ['sum', 'startedAt to finishedAt', 'slowest table (its copy)'])")"
    fi
    steps+=("| $r | $(echo "$status" | json "' | '.join(f'{v / 1000:.2f}' for v in d['sync']['timings'].values())") | $(echo "$status" | json "f\"{sum(d['sync']['timings'].values()) / 1000:.2f}\"") | $(echo "$status" | json "f\"{(__import__('datetime').datetime.fromisoformat(d['sync']['finishedAt'].replace('Z', '+00:00')) - __import__('datetime').datetime.fromisoformat(d['sync']['startedAt'].replace('Z', '+00:00'))).total_seconds():.2f}\"") | $(echo "$status" | json "max(((t['copyMillis'] or 0, t['name']) for t in d['sync']['tables']), default=(0, '-'))[1]") $(echo "$status" | json "max((t['copyMillis'] or 0) for t in d['sync']['tables']) / 1000") s in $(echo "$status" | json "max(d['sync']['tables'], key=lambda t: t['copyMillis'] or 0).get('parts', 1)") parts |")
    log "repeat $r: steps (s) ${steps[-1]}"

    log "repeat $r: pg_dump -Fd -j$BENCH_PARALLEL | pg_restore -j$BENCH_PARALLEL into a new database of the target"
    dropdb --if-exists -h "$HOST" -p "$target_port" -U "$PG_USER" restore_bench
    createdb -h "$HOST" -p "$target_port" -U "$PG_USER" restore_bench
    rm -rf "$WORK/dump"
    started="$(now)"
    pg_dump -Fd -j "$BENCH_PARALLEL" -f "$WORK/dump" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB"
    dumped="$(now)"
    pg_restore -j "$BENCH_PARALLEL" -d restore_bench -h "$HOST" -p "$target_port" -U "$PG_USER" "$WORK/dump"
    ended="$(now)"
    # Rows and bytes: the sync's own figures for the same data (nothing writes to the source).
    wall="$(seconds "$started" "$ended")"
    lines+=("| $r | pg_dump -Fd -j$BENCH_PARALLEL, then pg_restore -j$BENCH_PARALLEL | $wall | $(rate "$rows" "$wall") | $(mb_rate "$bytes" "$wall") | dump $(seconds "$started" "$dumped") s, restore $(seconds "$dumped" "$ended") s |")
    log "repeat $r: dump/restore ${lines[-1]}"
    dropdb -h "$HOST" -p "$target_port" -U "$PG_USER" restore_bench
done

echo
echo "## Initial sync copy throughput: pgbench -i scale $BENCH_SCALE ($rows rows, $(mb_rate "$bytes" 1) MB as COPY text)," \
    "no load, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Wall time: from the POST to done (schema, rows, indexes, catch-up, switch), or from pg_dump's start to"
echo "pg_restore's end (indexes included). Rates over the wall time; MB are the rows as COPY text, the same for both."
echo
echo "| repeat | tool | wall time (s) | rows/s | MB/s | the rows alone |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${lines[@]}"
echo
echo "Where the sync's wall time went (s), step by step (docs/initial-sync.md, timings):"
echo
echo "| $steps_header |"
echo "|$(echo "$steps_header" | sed 's/[^|]*/---/g')|"
printf '%s\n' "${steps[@]}"
