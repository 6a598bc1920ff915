#!/usr/bin/env bash
# The cost of an UPDATE's row image: pgbench with two one-statement scripts on a keyed table, straight to the source
# ("direct") and through Exodus in phase dual-write (both-required), interleaved in one run. "counter" sets a column
# from its own value (n = n + 1): nothing in it differs between the databases, so it runs as its text on both. "stamp"
# sets a column to now(): since session 13 it runs with RETURNING on the source and the target sets the row by key.
# "claim" is a job queue's claim, the counter's row picked by a subquery with FOR UPDATE SKIP LOCKED: since session 32
# it gets a row image too (ADR 0055). Each through-Exodus figure reads as a ratio to the same script direct; stamp's
# and claim's ratios against counter's are the image.
#
# Usage: bench/update-image.sh      (docs/benchmarks.md, "UPDATE row images", says how to read it)
# Knobs (environment):
#   BENCH_SECONDS=20          duration of each timed run
#   BENCH_CLIENTS=8           pgbench -c (jobs: 2)
#   BENCH_ROWS=100000         rows of the table (keys drawn uniformly: few lock waits)
#   BENCH_MODES="simple prepared"
#   BENCH_SCRIPTS="counter stamp claim"
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT HOST=127.0.0.1 PG_USER=postgres PG_DB=postgres PASSWORD=bench TOKEN=bench-admin
BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_ROWS="${BENCH_ROWS:-100000}"
BENCH_MODES="${BENCH_MODES:-simple prepared}"
BENCH_SCRIPTS="${BENCH_SCRIPTS:-counter stamp claim}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

BENCH_NAME=update-image
# shellcheck source=lib/embedded-proxy.sh
source "$REPO_ROOT/bench/lib/embedded-proxy.sh"
start_embedded_proxy

api() {
    curl -s -f -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -H 'X-Exodus-Actor: bench/update-image.sh' ${3:+-d "$3"} "http://$HOST:$http_port$2"
}

# "touched" is written through Exodus only, "touched_direct" straight to the source only: the first must end identical
# on both databases.
for port in "$source_port" "$target_port"; do
    for table in touched touched_direct; do
        psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$port" -U "$PG_USER" "$PG_DB" \
            -c "drop table if exists $table" \
            -c "create table $table (id int primary key, n bigint not null default 0, at timestamptz)" \
            -c "insert into $table (id) select g from generate_series(1, $BENCH_ROWS) g" \
            -c "vacuum analyze $table" >/dev/null
    done
done
api PUT /exodus/migration/phase '{"phase": "dual-write", "reason": "bench"}' >/dev/null
for table in touched touched_direct; do
    printf '\\set id random(1, %s)\nupdate %s set n = n + 1 where id = :id;\n' "$BENCH_ROWS" "$table" \
        >"$WORK/counter-$table.sql"
    printf '\\set id random(1, %s)\nupdate %s set at = now() where id = :id;\n' "$BENCH_ROWS" "$table" \
        >"$WORK/stamp-$table.sql"
    printf '\\set id random(1, %s)\nupdate %s set n = n + 1 where id = (select id from %s where id >= :id order by id limit 1 for update skip locked);\n' \
        "$BENCH_ROWS" "$table" "$table" >"$WORK/claim-$table.sql"
done

run() { # where script mode -> tps
    local port="$1" script="$2" mode="$3" table=touched
    [[ $port == "$source_port" ]] && table=touched_direct
    pgbench -n -M "$mode" -h "$HOST" -p "$port" -U "$PG_USER" -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" \
        -f "$WORK/$script-$table.sql" "$PG_DB" 2>&1 | awk '/^tps = / {print $3; exit}'
}

log "Warming the proxy up (${BENCH_SECONDS}s per script)"
for script in $BENCH_SCRIPTS; do run "$listen_port" "$script" prepared >/dev/null; done
printf '\n%-9s %-8s %12s %12s %8s\n' mode script direct exodus ratio
for mode in $BENCH_MODES; do
    for script in $BENCH_SCRIPTS; do
        direct="$(run "$source_port" "$script" "$mode")"
        exodus="$(run "$listen_port" "$script" "$mode")"
        ratio="$(python3 -c "print(f'{$exodus / $direct:.2f}x')")"
        printf '%-9s %-8s %12s %12s %8s\n' "$mode" "$script" "$direct" "$exodus" "$ratio"
    done
done
rows() { psql -X -At -h "$HOST" -p "$1" -U "$PG_USER" "$PG_DB" -c "copy (select id, n, at from touched order by id)
    to stdout" | md5sum | cut -d' ' -f1; }
if [[ "$(rows "$source_port")" == "$(rows "$target_port")" ]]; then
    log "the table written through Exodus is identical on source and target (md5 of every row)"
else
    die "the table written through Exodus differs between source and target"
fi
