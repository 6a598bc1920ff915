#!/usr/bin/env bash
# Row-by-row verification throughput: the same pgbench data (pgbench -i, no load) on the source and the target, then,
# per repeat, POST /exodus/migration/verify of every table followed to done, once on identical databases and once with
# a few rows changed, deleted and added on the target. Against a baseline in the same run: the scans verification
# cannot do without, run by hand on both databases at once (count(*), and one checksum of the whole table as
# verification computes per range). Reports rows/s, and the databases' and the proxy's CPU time each took.
#
# Usage: bench/verify-throughput.sh      (docs/benchmarks.md, "Verification", says how to read it)
# Knobs (environment):
#   BENCH_SCALE=10            pgbench -i scale on both (100,000 accounts per unit)
#   BENCH_REPEAT=2            repeats (identical, then differing)
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
#   EXODUS_VERIFY_*           verification's settings (segment-rows, bisection-factor, ...), passed to the proxy
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_REPEAT="${BENCH_REPEAT:-2}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

BENCH_NAME=verify-throughput
# shellcheck source=lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
start_embedded_proxy

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$1" "$2"; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
sql() { psql -qAtX -h "$HOST" -p "$1" -U "$PG_USER" -d "$PG_DB" -c "$2"; }
admin() { curl -sS -H "Authorization: Bearer $TOKEN" "$@"; }

# CPU seconds (user + system) a server's backends used: those that exited are counted in the postmaster's children
# times, the live ones (the proxy's own sessions, the server's helpers) in their own. Verification's sessions close
# when it ends.
server_cpu() {
    local postmaster ticks
    postmaster="$(head -1 "$(sql "$1" "SHOW data_directory")/postmaster.pid")"
    ticks="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")"
    for child in $(cat "/proc/$postmaster/task/$postmaster/children" 2>/dev/null); do
        ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
    python3 -c "import os, sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$ticks"
}
proxy_cpu() { python3 -c "import os, sys; f = open(f'/proc/{sys.argv[1]}/stat').read().rsplit(')', 1)[1].split(); print((int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK'))" "$PROXY_PID"; }
cpu_snapshot() { echo "$(server_cpu "$source_port") $(server_cpu "$target_port") $(proxy_cpu)"; }
cpu_used() { python3 -c "import sys; a, b = sys.argv[1].split(), sys.argv[2].split(); print(' | '.join(f'{float(y) - float(x):.2f}' for x, y in zip(a, b)))" "$1" "$2"; }

log "pgbench -i -s $BENCH_SCALE on the source and on the target: the same rows on both"
for port in "$source_port" "$target_port"; do
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" >"$WORK/init-$port.log" 2>&1 \
        || { cat "$WORK/init-$port.log" >&2; die "pgbench -i failed"; }
    sql "$port" "VACUUM ANALYZE" >/dev/null
done
total_rows="$(sql "$source_port" "SELECT (SELECT count(*) FROM pgbench_accounts) + (SELECT count(*) FROM pgbench_branches) + (SELECT count(*) FROM pgbench_tellers) + (SELECT count(*) FROM pgbench_history)")"
version="$(sql "$source_port" "SHOW server_version")"

# The same canonical text and checksum verification computes (CanonicalRow), over the whole table in one query.
readonly CHECKSUM="SELECT count(*), coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0)::text,
    coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0)::text
    FROM (SELECT md5(convert_to(ROW(a.aid, a.bid, a.abalance, a.filler)::text, 'UTF8')) AS h FROM ONLY pgbench_accounts a) s"
readonly COUNT="SELECT count(*) FROM ONLY pgbench_accounts"
# The cut into segments: row_number() over the key on the source (KeyedSql.boundaries), 100,000 rows a segment.
readonly BOUNDARIES="SELECT count(*) FROM (SELECT aid, row_number() OVER (ORDER BY aid) AS n FROM ONLY pgbench_accounts) s
    WHERE n > 1 AND (n - 1) % 100000 = 0"

# Runs a query on both databases at once, as verification sends its range queries; prints the wall time.
on_both() {
    local started
    started="$(now)"
    sql "$source_port" "$1" >/dev/null &
    local first=$!
    sql "$target_port" "$1" >/dev/null
    wait "$first"
    seconds "$started" "$(now)"
}

# POST /exodus/migration/verify of every table, followed to done; sets report.
verify_all() {
    admin -X POST -o /dev/null -w '%{http_code}' "http://$HOST:$http_port/exodus/migration/verify" \
        | grep -q 202 || die "verification did not start"
    for _ in $(seq 1 6000); do
        report="$(admin "http://$HOST:$http_port/exodus/migration/verification")"
        [[ "$(echo "$report" | json "d['state']")" != running ]] && return 0
        sleep 0.1
    done
    die "the verification did not finish within 10 minutes"
}

declare -a lines
for ((r = 1; r <= BENCH_REPEAT; r++)); do
    for kind in identical differing; do
        if [[ $kind == differing ]]; then
            sql "$target_port" "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid IN (17, 500001, 999983);
                DELETE FROM pgbench_accounts WHERE aid = 250000;
                INSERT INTO pgbench_accounts VALUES ($((BENCH_SCALE * 100000 + r)), 1, 0, '')" >/dev/null
        fi
        log "repeat $r, $kind: baseline scans of pgbench_accounts on both databases at once"
        count_s="$(on_both "$COUNT")"
        checksum_s="$(on_both "$CHECKSUM")"
        started="$(now)"
        boundaries_s="$(seconds "$started" "$(sql "$source_port" "$BOUNDARIES" >/dev/null; now)")"
        lines+=("| $r | $kind | baseline: count(*) of pgbench_accounts, both at once | $count_s | $(rate "$((BENCH_SCALE * 100000))" "$count_s") | | | |")
        lines+=("| $r | $kind | baseline: its checksum in one query, both at once | $checksum_s | $(rate "$((BENCH_SCALE * 100000))" "$checksum_s") | | | |")
        lines+=("| $r | $kind | baseline: row_number() over its key, source | $boundaries_s | $(rate "$((BENCH_SCALE * 100000))" "$boundaries_s") | | | |")

        log "repeat $r, $kind: POST /exodus/migration/verify (every table)"
        before="$(cpu_snapshot)"
        started="$(now)"
        verify_all
        ended="$(now)"
        sleep 0.5 # the sessions closed: their backends reaped
        used="$(cpu_used "$before" "$(cpu_snapshot)")"
        wall="$(seconds "$started" "$ended")"
        checked="$(echo "$report" | json "sum(t['rowsChecked'] for t in d['tables'])")"
        found="$(echo "$report" | json "', '.join(f\"{t['table']}: {t['missing']} missing, {t['extra']} extra, {t['different']} different\" for t in d['tables'] if not (t['missing'] == t['extra'] == t['different'] == 0)) or 'identical'")"
        per_table="$(echo "$report" | json "', '.join(f\"{t['table'].split('.')[-1]} {t['durationMillis'] / 1000:.2f} s\" for t in d['tables'])")"
        # The report's own clock: from its start to the first table's, and from the last table's end to its end.
        gaps="$(echo "$report" | json "(lambda t: f\"its report's own span {(t(d['finishedAt']) - t(d['startedAt'])).total_seconds():.2f} s, before the first table {(min(t(x['startedAt']) for x in d['tables']) - t(d['startedAt'])).total_seconds():.2f} s, after the last {(t(d['finishedAt']) - max(t(x['finishedAt']) for x in d['tables'])).total_seconds():.2f} s\")(lambda v: __import__('datetime').datetime.fromisoformat(v.replace('Z', '+00:00')))")"
        lines+=("| $r | $kind | Exodus verification, every table ($found; $per_table; $gaps) | $wall | $(rate "$checked" "$wall") | $used |")
        log "repeat $r, $kind: ${lines[-1]}"
        [[ $kind == identical && "$(echo "$report" | json "d['identical']")" != True ]] && die "identical databases verified as differing: $report"
    done
    # Back to identical for the next repeat: the target's changes undone from the source.
    admin -X POST -o /dev/null -H 'Content-Type: application/json' -d '{"tables": ["pgbench_accounts"]}' \
        "http://$HOST:$http_port/exodus/migration/repair"
done

# Where a checksum's time goes: the same scan of pgbench_accounts on the source alone, adding one step at a time.
log "where the time goes: one step at a time, on the source alone"
readonly TEXT="ROW(a.aid, a.bid, a.abalance, a.filler)::text"
declare -a steps
step() {
    local started
    started="$(now)"
    sql "$source_port" "$2" >/dev/null
    local took
    took="$(seconds "$started" "$(now)")"
    steps+=("| $1 | $took | $(python3 -c "import sys; print(f'{float(sys.argv[1]) * 1e6 / float(sys.argv[2]):.2f}')" "$took" "$((BENCH_SCALE * 100000))") |")
}
for _ in 1 2; do
    steps=()
    step "count(*)" "$COUNT"
    step "+ each row's canonical text" "SELECT sum(length($TEXT)) FROM ONLY pgbench_accounts a"
    step "+ its md5" "SELECT count(md5(convert_to($TEXT, 'UTF8'))) FROM ONLY pgbench_accounts a"
    step "+ the two 60-bit sums: verification's checksum" "$CHECKSUM"
    step "the same checksum by key range, $BENCH_SCALE segments of 100,000 rows (verification's queries)" "$(for ((i = 0; i < BENCH_SCALE; i++)); do
        echo "SELECT count(*), sum(('x' || substr(h, 1, 15))::bit(60)::bigint), sum(('x' || substr(h, 16, 15))::bit(60)::bigint) FROM (SELECT md5(convert_to($TEXT, 'UTF8')) AS h FROM ONLY pgbench_accounts a WHERE (a.aid) >= ($((i * 100000 + 1))) AND (a.aid) < ($(((i + 1) * 100000 + 1)))) s;"
    done)"
done
plan="$(sql "$source_port" "EXPLAIN (COSTS OFF) SELECT count(*), sum(('x' || substr(h, 1, 15))::bit(60)::bigint) FROM (SELECT md5(convert_to($TEXT, 'UTF8')) AS h FROM ONLY pgbench_accounts a WHERE (a.aid) >= (100001) AND (a.aid) < (200001)) s" | tr -s ' ' | tr '\n' ' ')"

echo
echo "## Verification throughput: pgbench -i scale $BENCH_SCALE ($total_rows rows, pgbench_accounts $((BENCH_SCALE * 100000)))," \
    "PostgreSQL $version on both, no load, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Wall time from the POST to done; rows/s over it (rows checked, every table). CPU: seconds of user + system time of"
echo "each server's backends and of the proxy over the verification. Baselines: the same queries by hand, on"
echo "pgbench_accounts only."
echo
echo "| repeat | data | what | wall time (s) | rows/s | CPU source (s) | CPU target (s) | CPU proxy (s) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${lines[@]}"
echo
echo "Where a checksum's time goes, pgbench_accounts on the source alone (second of two rounds; load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at the end). A segment's plan: $plan"
echo
echo "| query | s | µs per row |"
echo "|---|---|---|"
printf '%s\n' "${steps[@]}"
