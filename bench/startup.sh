#!/usr/bin/env bash
# Exodus start-up benchmark: how fast the proxy serves after `java` is launched, against an already running source,
# in three (or more) JVM modes measured in the same run, interleaved round by round so that the machine's other
# load falls on every mode alike; the tables show medians.
#
#   jvm17     JDK 17, the default fast-jar (target/quarkus-app): what `java -jar quarkus-run.jar` does today
#   appcds17  JDK 17, aot-jar packaging, with a dynamic AppCDS archive (-XX:SharedArchiveFile)
#   aot25     JDK 25, aot-jar packaging, with the JDK's AOT cache (-XX:AOTCache: classes loaded and linked, and
#             method profiles, JEP 483/515)
#   jvm25     JDK 25, aot-jar packaging, no cache (only with BENCH_MODES: tells the JDK's share from the cache's)
#
# Both caches are made by a training run of their own JVM: the proxy started, pgbench (select-only and tpcb-like)
# through it for BENCH_TRAIN_SECONDS, then a graceful stop, at which the JVM writes the archive.
#
# Per round and mode: time to the first accepted TCP connection and to the first answered query (psql through the
# proxy, authentication and the source's backend included), RSS idle 2 s after that, then pgbench select-only with
# 8 clients for BENCH_LOAD_SECONDS from a cold proxy: throughput per 10 s (the JIT's warm-up) and the highest RSS.
#
# Usage: bench/startup.sh     Knobs (environment):
#   BENCH_ROUNDS=3  BENCH_MODES="jvm17 appcds17 aot25"  BENCH_LOAD_SECONDS=60  BENCH_TRAIN_SECONDS=20
#   JAVA17_HOME=/usr/lib/jvm/java-17-openjdk-amd64  JAVA25_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
#   BENCH_TRACE=1   one more start per mode with -Xlog:class+load: classes loaded, and from the archive
#   BENCH_NICE=0    e.g. -10 (as root): the proxy runs before the machine's other work, which on a shared machine
#                   brings the wall-clock figures nearer to those of a quiet one (the CPU figures hardly move)
#   BENCH_JAVA_OPTS="-XX:+UseParallelGC"   BENCH_SCALE=5   KEEP_LOGS=DIR (the proxies' logs are copied there)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly HOST=127.0.0.1 PASSWORD=bench PG_USER=postgres
BENCH_ROUNDS="${BENCH_ROUNDS:-3}"
BENCH_MODES="${BENCH_MODES:-jvm17 appcds17 aot25}"
BENCH_LOAD_SECONDS="${BENCH_LOAD_SECONDS:-60}"
BENCH_TRAIN_SECONDS="${BENCH_TRAIN_SECONDS:-20}"
BENCH_SCALE="${BENCH_SCALE:-5}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseParallelGC}"
BENCH_NICE="${BENCH_NICE:-0}"
JAVA17_HOME="${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
JAVA25_HOME="${JAVA25_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)}"
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[startup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ns() { date +%s%N; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / tck) }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

WORK="$(mktemp -d /tmp/exodus-startup.XXXXXX)"
chmod 755 "$WORK"
PG_BIN=""
PG_PORT=""
PROXY_PID=""
cleanup() {
    [[ -n "$PROXY_PID" ]] && kill -KILL "$PROXY_PID" 2>/dev/null || true
    [[ -n "$PG_BIN" && -f "$WORK/pg/postmaster.pid" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop \
        >/dev/null 2>&1 || true
    if [[ -d "$WORK" && -n "${KEEP_LOGS:-}" ]]; then
        mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/ 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, the server runs as the postgres user Debian's packages create.
as_postgres() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

check_prerequisites() {
    [[ -x "$JAVA17_HOME/bin/java" ]] || die "no JDK 17 at $JAVA17_HOME (set JAVA17_HOME)"
    if [[ " $BENCH_MODES " == *25* ]]; then
        [[ -x "$JAVA25_HOME/bin/java" ]] || die "no JDK 25 at '$JAVA25_HOME' (set JAVA25_HOME)"
    fi
    pgbench --version >/dev/null 2>&1 || die "pgbench missing: apt-get install postgresql-15"
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -x "$PG_BIN/initdb" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install postgresql-15"
}

build_packages() {
    # The default fast-jar, and the aot-jar layout (every jar on the JVM's class path, so that CDS and the AOT cache
    # can hold the application's classes, which Quarkus' own class loader would keep out) beside it in target/aot.
    [[ -f "$REPO_ROOT/exodus-proxy/target/quarkus-app/quarkus-run.jar" ]] \
        || (cd "$REPO_ROOT" && ./mvnw -B -q package -pl exodus-proxy -am -DskipTests)
    log "Packaging the aot-jar layout (exodus-proxy/target/aot)"
    (cd "$REPO_ROOT" && ./mvnw -B -q package -pl exodus-proxy -DskipTests -Dquarkus.package.jar.type=aot-jar \
        -Dquarkus.package.output-directory=aot)
    # Copies, so that a rebuild by someone else during the run cannot swap jars under the proxy (a CDS archive is
    # also bound to its jars' paths and times).
    cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/fast-jar"
    cp -r "$REPO_ROOT/exodus-proxy/target/aot" "$WORK/aot-jar"
}

start_source() {
    PG_PORT="$(free_port)"
    mkdir -p "$WORK/pg"
    echo "$PASSWORD" >"$WORK/pwfile"
    [[ $EUID -eq 0 ]] && chown postgres "$WORK/pg" "$WORK/pwfile"
    as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U "$PG_USER" --auth=scram-sha-256 --pwfile="$WORK/pwfile" \
        >"$WORK/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$WORK/initdb.log")"
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
        -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=$HOST -c max_connections=200" start >/dev/null
    psql -X -q -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c 'CREATE DATABASE target' >/dev/null
    pgbench -q -i -s "$BENCH_SCALE" -h "$HOST" -p "$PG_PORT" -U "$PG_USER" postgres >/dev/null 2>&1
    log "Source running on port $PG_PORT (pgbench scale $BENCH_SCALE)"
}

# java_and_args MODE PHASE(run|train) → the command line of the proxy in that mode
java_and_args() {
    local mode="$1" phase="$2"
    case "$mode" in
        jvm17) echo "$JAVA17_HOME/bin/java $BENCH_JAVA_OPTS ${TRACE_OPTS:-} -jar $WORK/fast-jar/quarkus-run.jar" ;;
        jvm25) echo "$JAVA25_HOME/bin/java $BENCH_JAVA_OPTS ${TRACE_OPTS:-} -jar $WORK/aot-jar/quarkus-run.jar" ;;
        appcds17)
            local archive="-XX:SharedArchiveFile=$WORK/app17.jsa"
            [[ "$phase" == train ]] && archive="-XX:ArchiveClassesAtExit=$WORK/app17.jsa"
            echo "$JAVA17_HOME/bin/java $BENCH_JAVA_OPTS ${TRACE_OPTS:-} $archive -Xshare:auto -jar $WORK/aot-jar/quarkus-run.jar" ;;
        aot25)
            local cache="-XX:AOTCache=$WORK/app25.aot"
            [[ "$phase" == train ]] && cache="-XX:AOTCacheOutput=$WORK/app25.aot"
            echo "$JAVA25_HOME/bin/java $BENCH_JAVA_OPTS ${TRACE_OPTS:-} $cache -jar $WORK/aot-jar/quarkus-run.jar" ;;
        *) die "unknown mode $mode (jvm17, jvm25, appcds17, aot25)" ;;
    esac
}

PROXY_PORT=""
HTTP_PORT=""
# Ports are picked before the clock starts: a python3 start on a busy machine can take longer than the proxy's.
pick_ports() { PROXY_PORT="$(free_port)"; HTTP_PORT="$(free_port)"; }

start_proxy() {
    local mode="$1" phase="$2" logfile="$3" command
    local source="postgresql://$PG_USER:$PASSWORD@$HOST:$PG_PORT"
    command="$(java_and_args "$mode" "$phase")"
    # shellcheck disable=SC2086 # the command line is split on purpose
    EXODUS_SOURCE_URL="$source/postgres?sslmode=disable" EXODUS_TARGET_URL="$source/target?sslmode=disable" \
        EXODUS_LISTEN_PORT="$PROXY_PORT" QUARKUS_HTTP_PORT="$HTTP_PORT" EXODUS_TLS_MODE=disable \
        nice -n "$BENCH_NICE" $command </dev/null >"$logfile" 2>&1 &
    PROXY_PID=$!
}

stop_proxy() {
    kill -TERM "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
}

wait_until() { # wait_until LIMIT_S COMMAND...: polls every 2 ms; fails if the proxy dies or the limit passes
    local limit_ns=$(($(now_ns) + $1 * 1000000000))
    shift
    until "$@"; do
        kill -0 "$PROXY_PID" 2>/dev/null || return 1
        (($(now_ns) < limit_ns)) || return 1
        sleep 0.002
    done
}

answers() { psql -X -q -At -h "$HOST" -p "$PROXY_PORT" -U "$PG_USER" -d postgres -c 'SELECT 1' >/dev/null 2>&1; }

train() {
    local mode="$1"
    log "Training $mode: pgbench through the proxy for ${BENCH_TRAIN_SECONDS}s, then a graceful stop"
    pick_ports
    start_proxy "$mode" train "$WORK/train-$mode.log"
    wait_until 120 answers || die "proxy ($mode, training) did not answer: $(tail -n 20 "$WORK/train-$mode.log")"
    local half=$((BENCH_TRAIN_SECONDS / 2))
    pgbench -n -S -c 4 -j 2 -T "$half" -h "$HOST" -p "$PROXY_PORT" -U "$PG_USER" postgres >/dev/null 2>&1
    pgbench -n -M prepared -c 4 -j 2 -T "$half" -h "$HOST" -p "$PROXY_PORT" -U "$PG_USER" postgres >/dev/null 2>&1
    stop_proxy
}

# measure MODE ROUND: one cold start, appended to $WORK/results as "mode key value" lines
measure() {
    local mode="$1" round="$2" logfile="$WORK/run-$1-$2.log" t0 accepted answered
    pick_ports
    sync
    t0=$(now_ns)
    start_proxy "$mode" run "$logfile"
    wait_until 120 can_connect "$PROXY_PORT" || die "proxy ($mode) never accepted: $(tail -n 20 "$logfile")"
    accepted=$((($(now_ns) - t0) / 1000000))
    local cpu_at_accept
    cpu_at_accept=$(cpu_ms "$PROXY_PID")
    wait_until 120 answers || die "proxy ($mode) never answered: $(tail -n 20 "$logfile")"
    answered=$((($(now_ns) - t0) / 1000000))
    sleep 2
    local idle_kb peak_kb=0 sample progress="$WORK/pgbench-$mode-$round.txt"
    idle_kb=$(rss_kb "$PROXY_PID")
    pgbench -n -S -c 8 -j 2 -T "$BENCH_LOAD_SECONDS" -P 10 -h "$HOST" -p "$PROXY_PORT" -U "$PG_USER" postgres \
        >"$progress" 2>&1 &
    local bench_pid=$!
    while kill -0 "$bench_pid" 2>/dev/null; do
        sample=$(rss_kb "$PROXY_PID")
        ((sample > peak_kb)) && peak_kb=$sample
        sleep 1
    done
    wait "$bench_pid" || die "pgbench through the proxy ($mode) failed: $(tail -n 5 "$progress")"
    stop_proxy
    {
        echo "$mode accepted $accepted"
        echo "$mode answered $answered"
        echo "$mode cpu_ms $cpu_at_accept"
        # Quarkus' own figure, from its main() to started (the JVM's boot before main() is not in it).
        sed -n 's/.* started in \([0-9.]*\)s.*/\1/p' "$logfile" | awk -v m="$mode" '{ print m, "quarkus_ms", $1 * 1000 }'
        echo "$mode idle_mb $((idle_kb / 1024))"
        echo "$mode load_mb $((peak_kb / 1024))"
        awk -v m="$mode" '/^progress:/ { print m, "tps_" $2, $4 }' "$progress"
        awk -v m="$mode" '/^tps = / { print m, "tps_total", $3 }' "$progress"
    } >>"$WORK/results"
    log "$mode round $round: accepted ${accepted} ms (CPU ${cpu_at_accept} ms), answered ${answered} ms, RSS idle $((idle_kb / 1024)) MB," \
        "under load $((peak_kb / 1024)) MB, first ${BENCH_LOAD_SECONDS}s $(awk '/^tps = / { print $3 }' "$progress") tps"
}

# trace MODE: one more, untimed start with the JVM's class loading logged, to the first answered query: how many
# classes the start loads and how many of them came from the archive (CDS or the AOT cache), which is where a cache's
# gain comes from and what it cannot take away (the rest of the start is running code, not loading it).
trace() {
    local mode="$1" logfile="$WORK/trace-$1.log" classes="$WORK/classes-$1.log"
    pick_ports
    TRACE_OPTS="-Xlog:class+load=info:file=$classes -Xlog:startuptime=info:file=$WORK/startuptime-$1.log" \
        start_proxy "$mode" run "$logfile"
    wait_until 120 answers || die "proxy ($mode, traced) never answered: $(tail -n 20 "$logfile")"
    stop_proxy
    # Loaded after the first answer (shutdown hooks) or not: the count is of the whole run, which is that start.
    local total shared
    total=$(grep -c 'source:' "$classes" || true)
    shared=$(grep -c 'source: shared objects file' "$classes" || true)
    echo "$mode classes $total"
    echo "$mode classes_archived $shared"
    # The JVM's own boot, before any class of the application: "Create VM" of -Xlog:startuptime.
    sed -n 's/.*Create VM, \([0-9.]*\) secs.*/\1/p' "$WORK/startuptime-$1.log" | awk -v m="$mode" '{ printf "%s create_vm_ms %.0f\n", m, $1 * 1000 }'
}

stat() { awk -v m="$1" -v k="$2" '$1 == m && $2 == k { print $3 }' "$WORK/results" | median; }

report() {
    local mode
    echo
    echo "### Start-up against a running source ($(date -u '+%Y-%m-%d %H:%M') UTC, $BENCH_ROUNDS rounds, medians, nice $BENCH_NICE)"
    echo
    echo "| mode | first accepted connection | CPU used by then | Quarkus \"started in\" | first answered query | RSS idle | RSS under load | first ${BENCH_LOAD_SECONDS} s, tps |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for mode in $BENCH_MODES; do
        echo "| $mode | $(stat "$mode" accepted) ms | $(stat "$mode" cpu_ms) ms | $(stat "$mode" quarkus_ms) ms |" \
            "$(stat "$mode" answered) ms | $(stat "$mode" idle_mb) MB | $(stat "$mode" load_mb) MB |" \
            "$(stat "$mode" tps_total | awk '{ printf "%.0f", $1 }') |"
    done
    echo
    echo "Throughput per 10 s of the first minute (select-only, 8 clients, tps, medians):"
    echo
    local seconds header="| mode |" rule="| --- |" row
    for ((seconds = 10; seconds <= BENCH_LOAD_SECONDS; seconds += 10)); do
        header+=" ${seconds} s |"
        rule+=" ---: |"
    done
    echo "$header"
    echo "$rule"
    for mode in $BENCH_MODES; do
        row="| $mode |"
        for ((seconds = 10; seconds <= BENCH_LOAD_SECONDS; seconds += 10)); do
            row+=" $(stat "$mode" "tps_${seconds}.0" | awk '{ printf "%.0f", $1 }') |"
        done
        echo "$row"
    done
    echo
    if [[ -n "${BENCH_TRACE:-}" ]]; then
        echo "Classes loaded by one more start of each mode, to its first answered query (-Xlog:class+load), how many"
        echo "came from the archive, and the JVM's own boot before any application class (-Xlog:startuptime):"
        echo
        echo "| mode | classes loaded | from the archive (CDS / AOT cache) | from jars and the JDK's modules | JVM boot (Create VM) |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        for mode in $BENCH_MODES; do
            local total archived
            total=$(stat "$mode" classes)
            archived=$(stat "$mode" classes_archived)
            echo "| $mode | $total | $archived | $((total - archived)) | $(stat "$mode" create_vm_ms) ms |"
        done
        echo
    fi
    echo "Each round, mode by mode, to first accepted connection: $(awk '$2 == "accepted" { printf "%s %s ms; ", $1, $3 }' "$WORK/results")"
    echo
    echo "Machine load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"
}

check_prerequisites
build_packages
start_source
for mode in $BENCH_MODES; do
    case "$mode" in appcds17 | aot25) train "$mode" ;; esac
done
ls -la "$WORK"/app17.jsa "$WORK"/app25.aot 2>/dev/null >&2 || true
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
    for mode in $BENCH_MODES; do
        measure "$mode" "$round"
    done
done
if [[ -n "${BENCH_TRACE:-}" ]]; then
    for mode in $BENCH_MODES; do
        log "Tracing the class loading of one more $mode start"
        trace "$mode" >>"$WORK/results"
    done
fi
mkdir -p "$REPO_ROOT/bench/results"
report | tee "$REPO_ROOT/bench/results/$(date -u +%Y%m%d-%H%M)-startup.md"
