# shellcheck shell=bash
# Sourced by the benchmarks that read CPU time per transaction and summarise repeats (bench/best-effort.sh,
# bench/dual-write.sh): cpu_ticks
# of one process, postmaster_of and server_ticks for a PostgreSQL server with its backends, per_transaction, median
# and ratio. The caller sets HOST and PG_USER, PG_DB for postmaster_of.

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The postmaster's PID of the server on port $1: the first line of postmaster.pid in its data directory.
postmaster_of() {
    local data
    data="$(psql -h "$HOST" -p "$1" -U "$PG_USER" -Atc "SHOW data_directory" "$PG_DB")" || return 1
    head -n 1 "$data/postmaster.pid"
}
# CPU ticks of one PostgreSQL server: the postmaster and its live children, plus the children it has reaped. A
# process may end between the glob and its read: cat's complaint is no failure of the pipeline (set -o pipefail).
server_ticks() {
    [[ -n $1 ]] || { echo 0; return; }
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$1" '
        { split($0, f, ") "); split(f[2], v, " ")
          if ($1 == pm) t += v[12] + v[13] + v[14] + v[15]; else if (v[2] == pm) t += v[12] + v[13] }
        END { print t + 0 }'
}
# $1 ticks over $2 transactions, in µs.
per_transaction() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print 0 }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
