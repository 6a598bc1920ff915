#!/usr/bin/env bash
# Exodus benchmark: pgbench straight to PostgreSQL ("direct"), through Exodus, and through PgBouncer in session
# mode, all in one run against the same server, so that every figure can be read as a ratio to "direct" measured
# minutes apart on the same machine. Also measures the proxy's start-up time and its memory per idle connection.
#
# Usage: bench/run.sh            (see docs/benchmarks.md for what it measures and how to read it)
# Knobs (environment):
#   BENCH_SECONDS=20            duration of each timed pgbench run
#   BENCH_WARMUP_SECONDS=10     untimed run through the proxy first, so the JIT has compiled the relay path
#   BENCH_SCALE=10              pgbench -i scale factor
#   BENCH_CLIENTS="1 8 32"      client counts (pgbench -c); jobs are min(clients, 2)
#   BENCH_SCRIPTS="select-only tpcb-like"   pgbench built-in scripts for the -M simple rows
#   BENCH_REPEAT=1              runs per path and row (interleaved); the tables show medians, plus the
#                               Exodus/PgBouncer ratio of every repeat so that the spread is visible
#   BENCH_PREPARED=1            also run select-only with -M prepared (0 to skip)
#   BENCH_IDLE_SESSIONS=200     idle sessions held open for the per-connection memory figure (0 to skip)
#   BENCH_STARTS=3              start-ups of the proxy against an already running server to time
#   BENCH_JAVA_OPTS="..."       JVM options for the proxy (default: see DEFAULT_JAVA_OPTS below)
#   BENCH_PROFILE=0             1: one extra 8-client select-only run through Exodus under JFR; top frames go to
#                               bench/results/<timestamp>-profile.txt
#   BENCH_METRICS_COMPARE=0     1: the Exodus path a second time, through one more proxy in front of the same source
#                               with EXODUS_METRICS_ENABLED=false, interleaved with the others; a table gives
#                               Exodus's TPS and CPU per transaction with metrics on and off, and their ratios
# Any EXODUS_* variable (for example EXODUS_LISTEN_EVENT_LOOPS) is passed on to the proxy, except the ones this
# script sets itself.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly PASSWORD=bench
readonly PG_USER=postgres
readonly PG_DB=postgres
readonly HOST=127.0.0.1
# ParallelGC: the relay hardly allocates on the heap (a handful of young collections in minutes of load), so
# the collector does not show in throughput, but the JVM's footprint does: about 200 MB RSS with ParallelGC against
# about 340 MB with the default G1 on this 2-core, 24 GB machine. docs/benchmarks.md has the comparison.
readonly DEFAULT_JAVA_OPTS="-XX:+UseParallelGC"

BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-10}"
BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_CLIENTS="${BENCH_CLIENTS:-1 8 32}"
BENCH_PREPARED="${BENCH_PREPARED:-1}"
BENCH_IDLE_SESSIONS="${BENCH_IDLE_SESSIONS:-200}"
BENCH_STARTS="${BENCH_STARTS:-3}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS-$DEFAULT_JAVA_OPTS}"
BENCH_PROFILE="${BENCH_PROFILE:-0}"
BENCH_SCRIPTS="${BENCH_SCRIPTS:-select-only tpcb-like}"
BENCH_REPEAT="${BENCH_REPEAT:-1}"
BENCH_METRICS_COMPARE="${BENCH_METRICS_COMPARE:-0}"
CLK_TCK="$(getconf CLK_TCK)"

# libpq must not try TLS or GSS encryption on any path: the three paths are compared in plain TCP, like with like.
export PGSSLMODE=disable PGGSSENCMODE=disable PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------------------------------------------

install_missing_packages() {
    local wanted=()
    # --version rather than command -v: Debian's /usr/bin/pgbench is a wrapper that exists without any pgbench.
    pgbench --version >/dev/null 2>&1 || wanted+=(postgresql-15)
    command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]] || wanted+=(pgbouncer)
    psql --version >/dev/null 2>&1 || wanted+=(postgresql-client-15)
    ((${#wanted[@]} > 0)) || return 0
    [[ $EUID -eq 0 ]] || die "missing ${wanted[*]}; install them (apt-get install ${wanted[*]}) or run as root"
    log "Installing ${wanted[*]}"
    # Debian would create and start a 'main' cluster on port 5432 when postgresql-15 is installed; the benchmark
    # uses the proxy's embedded server instead, so no cluster is wanted.
    mkdir -p /etc/postgresql-common
    if grep -qE '^[[:space:]]*create_main_cluster' /etc/postgresql-common/createcluster.conf 2>/dev/null; then
        sed -i -E 's/^[[:space:]]*create_main_cluster.*/create_main_cluster = false/' \
            /etc/postgresql-common/createcluster.conf
    else
        echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    fi
    # The pgbouncer package's service must not start: this script runs its own pgbouncer with its own ini.
    # policy-rc.d exit code 101 tells invoke-rc.d "action forbidden"; only added (and removed) if absent.
    local policy_added=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_added=1
    fi
    local installed=1
    apt-get update -qq || installed=0
    if ((installed == 1)); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null \
            || installed=0
    fi
    ((policy_added == 0)) || rm -f /usr/sbin/policy-rc.d
    ((installed == 1)) || die "could not install ${wanted[*]}"
}

build_proxy_if_missing() {
    local jar="$REPO_ROOT/exodus-proxy/target/quarkus-app/quarkus-run.jar"
    if [[ ! -f $jar ]]; then
        log "No proxy jar yet: building it (./mvnw -B -q install -DskipTests)"
        (cd "$REPO_ROOT" && ./mvnw -B -q install -DskipTests)
    fi
    [[ -f $jar ]] || die "the build did not produce $jar"
}

# ---------------------------------------------------------------------------------------------------------------
# Processes this script starts, and their cleanup
# ---------------------------------------------------------------------------------------------------------------

WORK=""
PROXY_PID=""         # the embedded-mode proxy (source and target servers inside)
PROXY2_PID=""        # the proxy in front of the already running source, for start-up and memory
PROXY3_PID=""        # the proxy with metrics off, in front of the same source (BENCH_METRICS_COMPARE=1)
PGBOUNCER_PID=""
HOLDER_PID=""        # pgbench holding idle sessions open
POSTMASTER_PIDS=()   # the embedded servers' postmasters, in case the proxy dies without stopping them
DATA_DIRS=()         # their data folders, which their command lines name
BEFORE_PIDS=""
PIDS_RECORDED=0

# Alive and still ours. Pids are reused quickly on this kind of machine (pid_max 32768, test suites forking all
# the time), and bash reaps its children as they exit, so a bare pid could name someone else's process by the
# time it is signalled: a child of this script must still have this shell as its parent; a process started by
# someone else (the postmasters, started by the proxy) must still have the given text on its command line.
running() {
    local pid="${1:-}" needle="${2:-}"
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    if [[ -n $needle ]]; then
        [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" == *"$needle"* ]]
    else
        [[ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$$" ]]
    fi
}

# SIGTERM, then wait (the proxy shuts down gracefully and stops its embedded servers), then SIGKILL.
stop_pid() {
    local pid="$1" what="$2" grace="${3:-60}" waited=0
    running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while running "$pid" && ((waited < grace * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if running "$pid"; then
        log "$what ($pid) did not stop within ${grace}s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

interesting_pids() {
    { pgrep -f quarkus-run.jar || true; pgrep pgbouncer || true; pgrep postgres || true; } | sort -u
}

cleanup() {
    local status=$?
    set +e
    stop_pid "$HOLDER_PID" pgbench 5
    stop_pid "$PGBOUNCER_PID" pgbouncer 10
    stop_pid "$PROXY2_PID" "second proxy" 60
    stop_pid "$PROXY3_PID" "metrics-off proxy" 60
    stop_pid "$PROXY_PID" proxy 90
    local i pid
    for i in "${!POSTMASTER_PIDS[@]}"; do
        pid="${POSTMASTER_PIDS[$i]}"
        if running "$pid" "${DATA_DIRS[$i]}"; then
            log "WARNING: embedded PostgreSQL $pid outlived the proxy: fast shutdown (proxy log kept)"
            status=1
            kill -INT "$pid" 2>/dev/null
            sleep 3
            running "$pid" "${DATA_DIRS[$i]}" && kill -KILL "$pid" 2>/dev/null
        fi
    done
    # Whatever is left and did not exist before the run: ours only if its command line names our work folder or
    # one of our data folders; other engineers' test suites start PostgreSQL servers on this machine too.
    if [[ $PIDS_RECORDED == 1 ]]; then
        local left=() cmd dir
        for pid in $(comm -13 <(echo "$BEFORE_PIDS") <(interesting_pids)); do
            cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || continue
            for dir in "$WORK" "${DATA_DIRS[@]}"; do
                if [[ -n $dir && $cmd == *"$dir"* ]]; then
                    left+=("$pid")
                    break
                fi
            done
        done
        if ((${#left[@]} > 0)); then
            log "WARNING: still running after cleanup, killing: ${left[*]}"
            kill -KILL "${left[@]}" 2>/dev/null
            status=1
        fi
    fi
    if [[ -n $WORK && -d $WORK ]]; then
        if ((status != 0)); then
            log "Logs kept in $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

USED_PORTS=" "
# A port nobody listens on, and not one this script already handed out (the proxy binds its ports later).
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 30000))
        [[ $USED_PORTS == *" $port "* ]] && continue
        ss -Htln "sport = :$port" 2>/dev/null | grep -q . && continue
        USED_PORTS+="$port "
        echo "$port"
        return
    done
}

can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Waits until the port accepts TCP connections; fails if the process dies first or the timeout passes.
wait_for_port() {
    local port="$1" pid="$2" timeout_s="$3" logfile="$4" deadline
    deadline=$(($(now_ms) + timeout_s * 1000))
    until can_connect "$port"; do
        if ! running "$pid"; then
            tail -n 40 "$logfile" >&2 || true
            die "process $pid exited before port $port accepted connections (log: $logfile)"
        fi
        (($(now_ms) < deadline)) || die "port $port not accepting connections after ${timeout_s}s (log: $logfile)"
        sleep 0.01
    done
}

psql_at() {
    local port="$1"
    shift
    psql -X -q -At -h "$HOST" -p "$port" -U "$PG_USER" -d "$PG_DB" "$@"
}

# Starts the proxy in the background with these extra environment variables and sets STARTED_PID (not echoed:
# a command substitution would make the JVM the child of a subshell that this shell cannot wait for).
# The copy of quarkus-app under $WORK is used, so that a rebuild by someone else mid-run cannot swap jars under it.
STARTED_PID=""
start_proxy() {
    local logfile="$1"
    shift
    # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options, split on purpose
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false "$@" \
        java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null >"$logfile" 2>&1 &
    STARTED_PID=$!
}

# Live heap: GC.class_histogram forces a full GC, then counts what survived, class by class. The histogram is
# kept in the given file (for the classes that grow with the sessions) and its total, in bytes, is echoed.
live_heap_bytes() {
    local pid="$1" file="$2"
    jcmd "$pid" GC.class_histogram >"$file"
    awk '$1 == "Total" { print $3 }' "$file"
}

# The classes whose live bytes grew most between two histograms: "bytes instances class", per session.
histogram_growth() {
    local before="$1" after="$2" sessions="$3"
    awk -v n="$sessions" '$1 ~ /^[0-9]+:$/ { key = $4; if (FNR == NR) { b[key] = $3; i[key] = $2 } else {
            d = $3 - b[key]; if (d > 0) printf "%d %.1f %s\n", d / n, ($2 - i[key]) / n, key } }' "$before" "$after" \
        | sort -rn | head -n 12
}

rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# Proportional set size of the source server's client backends: shared memory is split among the processes that
# map it, so the sum does not count shared_buffers once per backend the way RSS would.
backend_pss_bytes() {
    local postmaster="$1" total=0 pid pss
    for pid in $(pgrep -P "$postmaster" || true); do
        grep -q '127.0.0.1(' "/proc/$pid/cmdline" 2>/dev/null || continue
        pss="$(awk '/^Pss:/ { print $2 * 1024 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)"
        total=$((total + ${pss:-0}))
    done
    echo "$total"
}

established_to() { ss -Htn state established "( sport = :$1 )" | wc -l; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "–" }'; }

# ---------------------------------------------------------------------------------------------------------------
# pgbench runs
# ---------------------------------------------------------------------------------------------------------------

# CPU time a process has used so far, user and system, in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Runs pgbench against a port; echoes "tps latency_ms cpu_us_per_transaction", the last one for the process in
# the middle (the proxy or PgBouncer; "–" for none), connection set-up included; "ERR ERR ERR" when pgbench
# fails. It is called in a process substitution, so errors are not collected here: collect_errors reads the logs
# kept in $WORK/runs/.
pgbench_run() {
    local label="$1" port="$2" middle="$3"
    shift 3
    local out="$WORK/runs/$label.log" tps lat count cpu="–" ticks0=0
    [[ -z $middle ]] || ticks0="$(cpu_ticks "$middle")"
    if ! pgbench -h "$HOST" -p "$port" -U "$PG_USER" "$@" "$PG_DB" >"$out" 2>&1; then
        echo "pgbench exit status: failed" >>"$out"
        echo "ERR ERR ERR"
        return
    fi
    tps="$(awk '/^tps = .*without initial connection time/ { print $3 }' "$out")"
    lat="$(awk '/^latency average =/ { print $4 }' "$out")"
    count="$(awk -F': ' '/^number of transactions actually processed/ { print $2 + 0 }' "$out")"
    if [[ -n $middle ]] && ((${count:-0} > 0)); then
        cpu="$(awk -v t="$(($(cpu_ticks "$middle") - ticks0))" -v hz="$CLK_TCK" -v n="$count" \
            'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
    fi
    printf '%.0f %.3f %s\n' "${tps:-0}" "${lat:-0}" "$cpu"
}

# The median of a space-separated list of numbers, with the given decimals; "ERR" if a run failed.
median() {
    local values="$1" decimals="$2"
    [[ $values != *ERR* ]] || { echo ERR; return; }
    [[ $values != *–* ]] || { echo "–"; return; }
    tr ' ' '\n' <<<"$values" | grep -v '^$' | sort -g | awk -v d="$decimals" '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.*f\n", d, m }'
}

RUN_ERRORS=()
collect_errors() {
    local f failed
    for f in "$WORK"/runs/*.log; do
        if grep -qiE 'error|abort|fatal|exit status: failed' "$f"; then
            RUN_ERRORS+=("$(basename "$f" .log): $(grep -m1 -iE 'error|abort|fatal|exit status: failed' "$f")")
        fi
        failed="$(awk '/^number of failed transactions/ { print $5 }' "$f")"
        if [[ -n $failed && $failed != 0 ]]; then
            RUN_ERRORS+=("$(basename "$f" .log): $failed failed transactions")
        fi
    done
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

main() {
    install_missing_packages
    build_proxy_if_missing
    if ! command -v jcmd >/dev/null || ! command -v jstat >/dev/null; then
        die "jcmd and jstat (a full JDK 17) are needed"
    fi
    local pgbouncer_bin
    pgbouncer_bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"

    BEFORE_PIDS="$(interesting_pids)"
    PIDS_RECORDED=1
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    WORK="$(mktemp -d /tmp/exodus-bench.XXXXXX)"
    # pgbouncer runs as nobody and must read its ini and auth file in here.
    chmod 755 "$WORK"
    mkdir -p "$WORK/runs" "$WORK/pgbouncer"
    cp -r "$REPO_ROOT/exodus-proxy/target/quarkus-app" "$WORK/app"

    local stamp started_at load_start
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"
    load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

    local listen_port http_port source_port target_port metrics_on=()
    # The comparison needs the Exodus path measured with metrics on, whatever the caller's environment says.
    ((BENCH_METRICS_COMPARE == 1)) && metrics_on=(EXODUS_METRICS_ENABLED=true)
    listen_port="$(free_port)"
    http_port="$(free_port)"
    source_port="$(free_port)"
    target_port="$(free_port)"

    # -- 1. The proxy in embedded mode: two PostgreSQL servers of its own, then the listener --------------------
    log "Starting the proxy in embedded mode (listen $listen_port, source $source_port, JVM options: ${BENCH_JAVA_OPTS:-none})"
    local t0 embedded_start_ms
    t0="$(now_ms)"
    start_proxy "$WORK/proxy.log" EXODUS_LISTEN_PORT="$listen_port" QUARKUS_HTTP_PORT="$http_port" \
        EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
        EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable "${metrics_on[@]}"
    PROXY_PID="$STARTED_PID"
    wait_for_port "$listen_port" "$PROXY_PID" 300 "$WORK/proxy.log"
    embedded_start_ms=$(($(now_ms) - t0))
    sleep 0.5
    grep -q 'Connect with: psql' "$WORK/proxy.log" || log "WARNING: the proxy did not print its 'Connect with:' line"
    log "Proxy accepting connections after ${embedded_start_ms} ms (includes initdb and start of two servers)"

    local port data_dir
    for port in "$source_port" "$target_port"; do
        data_dir="$(psql_at "$port" -c 'SHOW data_directory')"
        POSTMASTER_PIDS+=("$(head -n1 "$data_dir/postmaster.pid")")
        DATA_DIRS+=("$data_dir")
    done
    local pg_version max_connections
    pg_version="$(psql_at "$source_port" -c 'SHOW server_version')"
    max_connections="$(psql_at "$source_port" -c 'SHOW max_connections')"

    log "pgbench -i -s $BENCH_SCALE on the source"
    pgbench -i -q -s "$BENCH_SCALE" -h "$HOST" -p "$source_port" -U "$PG_USER" "$PG_DB" >"$WORK/runs/init.log" 2>&1 \
        || { cat "$WORK/runs/init.log" >&2; die "pgbench -i failed"; }

    # -- 2. Start-up against an already running server, and memory per idle connection -------------------------
    # Done before PgBouncer starts: PgBouncer keeps its server connections open after its clients leave, and the
    # idle sessions below need the source's connection slots (max_connections is $max_connections).
    local source_url="postgresql://$PG_USER:$PASSWORD@$HOST:$source_port/$PG_DB?sslmode=disable"
    local listen2 http2 i start_ms query_ms starts=() first_query=()
    for ((i = 1; i <= BENCH_STARTS || (BENCH_IDLE_SESSIONS > 0 && i == 1); i++)); do
        stop_pid "$PROXY2_PID" "second proxy" 60
        listen2="$(free_port)"
        http2="$(free_port)"
        t0="$(now_ms)"
        start_proxy "$WORK/proxy2-$i.log" EXODUS_LISTEN_PORT="$listen2" QUARKUS_HTTP_PORT="$http2" \
            EXODUS_SOURCE_URL="$source_url" EXODUS_TLS_MODE=disable
        PROXY2_PID="$STARTED_PID"
        wait_for_port "$listen2" "$PROXY2_PID" 120 "$WORK/proxy2-$i.log"
        start_ms=$(($(now_ms) - t0))
        until psql_at "$listen2" -c 'SELECT 1' >/dev/null 2>&1; do
            (($(now_ms) - t0 < 120000)) || die "no query answered through the second proxy"
            sleep 0.01
        done
        query_ms=$(($(now_ms) - t0))
        starts+=("$start_ms")
        first_query+=("$query_ms")
        log "Start-up against a running server #$i: listening after ${start_ms} ms, first query answered after ${query_ms} ms"
    done

    local sessions=0 heap0=0 heap1=0 rss0=0 rss1=0 pss0=0 pss1=0
    if ((BENCH_IDLE_SESSIONS > 0)); then
        # Slots left on the source: max_connections minus whoever else is connected (this query's own connection
        # is gone by the time the idle sessions connect; the counting below uses ss, not the server).
        local busy
        busy="$(psql_at "$source_port" -c "SELECT count(*) - 1 FROM pg_stat_activity WHERE backend_type = 'client backend'")"
        sessions=$((BENCH_IDLE_SESSIONS < max_connections - busy ? BENCH_IDLE_SESSIONS : max_connections - busy))
        ((sessions == BENCH_IDLE_SESSIONS)) || log "Only $sessions connection slots free on the source: holding $sessions sessions"
        printf 'SELECT 1;\n\\sleep 600 s\n' >"$WORK/hold.sql"
        # Warm the session path first, so that class loading and JIT code land in the baseline, not in the
        # per-connection figure.
        pgbench -n -c 10 -j 2 -t 20 -S -h "$HOST" -p "$listen2" -U "$PG_USER" "$PG_DB" >"$WORK/runs/mem-warm.log" 2>&1 \
            || { cat "$WORK/runs/mem-warm.log" >&2; die "pgbench through the second proxy failed"; }
        sleep 2
        heap0="$(live_heap_bytes "$PROXY2_PID" "$WORK/histogram-0.txt")"
        rss0="$(rss_bytes "$PROXY2_PID")"
        pss0="$(backend_pss_bytes "${POSTMASTER_PIDS[0]}")"
        log "Opening $sessions idle sessions through the second proxy"
        pgbench -n -c "$sessions" -j 2 -t 1 -f "$WORK/hold.sql" -h "$HOST" -p "$listen2" -U "$PG_USER" "$PG_DB" \
            >"$WORK/runs/mem-hold.log" 2>&1 &
        HOLDER_PID=$!
        t0="$(now_ms)"
        while (($(established_to "$listen2") < sessions)); do
            running "$HOLDER_PID" || { cat "$WORK/runs/mem-hold.log" >&2; die "the idle sessions' pgbench exited"; }
            (($(now_ms) - t0 < 120000)) || die "only $(established_to "$listen2") of $sessions sessions connected"
            sleep 0.2
        done
        # every client has sent its SELECT 1 and is asleep: its backend is in 'idle'
        sleep 3
        heap1="$(live_heap_bytes "$PROXY2_PID" "$WORK/histogram-1.txt")"
        rss1="$(rss_bytes "$PROXY2_PID")"
        pss1="$(backend_pss_bytes "${POSTMASTER_PIDS[0]}")"
        stop_pid "$HOLDER_PID" pgbench 5
        HOLDER_PID=""
        log "Memory with 0 / $sessions sessions: heap $heap0 / $heap1 B, RSS $rss0 / $rss1 B"
    fi
    stop_pid "$PROXY2_PID" "second proxy" 60
    PROXY2_PID=""

    # -- 3. PgBouncer in session mode in front of the same source ----------------------------------------------
    local pgb_port
    pgb_port="$(free_port)"
    cat >"$WORK/pgbouncer/pgbouncer.ini" <<EOF
[databases]
$PG_DB = host=$HOST port=$source_port dbname=$PG_DB

[pgbouncer]
listen_addr = $HOST
listen_port = $pgb_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $WORK/pgbouncer/userlist.txt
pool_mode = session
max_client_conn = 200
default_pool_size = 40
server_tls_sslmode = disable
client_tls_sslmode = disable
ignore_startup_parameters = extra_float_digits
EOF
    printf '"%s" "%s"\n' "$PG_USER" "$PASSWORD" >"$WORK/pgbouncer/userlist.txt"
    chmod 644 "$WORK/pgbouncer/pgbouncer.ini"
    chmod 640 "$WORK/pgbouncer/userlist.txt"
    local pgbouncer_cmd=("$pgbouncer_bin" "$WORK/pgbouncer/pgbouncer.ini")
    if [[ $EUID -eq 0 ]]; then
        # pgbouncer refuses to run as root
        chgrp nogroup "$WORK/pgbouncer/userlist.txt"
        pgbouncer_cmd=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${pgbouncer_cmd[@]}")
    fi
    "${pgbouncer_cmd[@]}" </dev/null >"$WORK/pgbouncer/pgbouncer.log" 2>&1 &
    PGBOUNCER_PID=$!
    wait_for_port "$pgb_port" "$PGBOUNCER_PID" 30 "$WORK/pgbouncer/pgbouncer.log"
    local pgb_version
    pgb_version="$("$pgbouncer_bin" --version | head -n1)"
    log "$pgb_version listening on $pgb_port"

    # -- 3b. With BENCH_METRICS_COMPARE=1: the same proxy with metrics off, in front of the same source ----------
    # Started like the second proxy (EXODUS_SOURCE_URL), while the metrics-on path is the embedded-mode proxy: the
    # relay is the same code in both modes, and embedded mode adds no work per request.
    local nometrics_port=""
    if ((BENCH_METRICS_COMPARE == 1)); then
        local http3
        nometrics_port="$(free_port)"
        http3="$(free_port)"
        start_proxy "$WORK/proxy-nometrics.log" EXODUS_LISTEN_PORT="$nometrics_port" QUARKUS_HTTP_PORT="$http3" \
            EXODUS_SOURCE_URL="$source_url" EXODUS_TLS_MODE=disable EXODUS_METRICS_ENABLED=false
        PROXY3_PID="$STARTED_PID"
        wait_for_port "$nometrics_port" "$PROXY3_PID" 120 "$WORK/proxy-nometrics.log"
        log "Proxy with metrics off (EXODUS_METRICS_ENABLED=false) listening on $nometrics_port"
    fi

    # -- 4. Warm-up and the timed runs ---------------------------------------------------------------------------
    local warm_port warm_label
    for warm_port in "$listen_port" $nometrics_port; do
        warm_label="warmup"
        [[ $warm_port == "$listen_port" ]] || warm_label="warmup-nometrics"
        log "Warm-up: ${BENCH_WARMUP_SECONDS}s select-only through the proxy on $warm_port (not counted)"
        pgbench_run "$warm_label" "$warm_port" "" -n -S -M simple -c 8 -j 2 -T "$BENCH_WARMUP_SECONDS" >/dev/null
        if ((BENCH_PREPARED == 1)); then
            pgbench_run "$warm_label-prepared" "$warm_port" "" -n -S -M prepared -c 8 -j 2 -T 3 >/dev/null
        fi
    done

    local rows=() script
    for script in $BENCH_SCRIPTS; do
        rows+=("$script simple")
    done
    if ((BENCH_PREPARED == 1)); then
        rows+=("select-only prepared")
    fi
    local -A port_of=([direct]="$source_port" [exodus]="$listen_port" [pgbouncer]="$pgb_port")
    local -A pid_of=([direct]="" [exodus]="$PROXY_PID" [pgbouncer]="$PGBOUNCER_PID")
    local paths=(direct exodus pgbouncer)
    if ((BENCH_METRICS_COMPARE == 1)); then
        paths+=(nometrics)
        port_of[nometrics]="$nometrics_port"
        pid_of[nometrics]="$PROXY3_PID"
    fi
    local table="$WORK/table.md" latencies="$WORK/latency.md" cpu_table="$WORK/cpu.md" spread_header=""
    local metrics_table="$WORK/metrics.md"
    ((BENCH_REPEAT > 1)) && spread_header=" Exodus/PgBouncer in each repeat |"
    {
        echo "| script | protocol | clients | direct TPS | Exodus TPS | PgBouncer TPS | Exodus/direct | PgBouncer/direct | Exodus/PgBouncer |$spread_header"
        echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${spread_header:+ --- |}"
    } >"$table"
    {
        echo "| script | protocol | clients | direct ms | Exodus ms | PgBouncer ms |"
        echo "| --- | --- | ---: | ---: | ---: | ---: |"
    } >"$latencies"
    {
        echo "| script | protocol | clients | Exodus µs | PgBouncer µs | Exodus/PgBouncer |"
        echo "| --- | --- | ---: | ---: | ---: | ---: |"
    } >"$cpu_table"
    {
        echo "| script | protocol | clients | TPS metrics on | TPS metrics off | on/off TPS | µs metrics on | µs metrics off | on/off µs | on/off TPS in each repeat |"
        echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    } >"$metrics_table"

    local row=0 spec mode clients jobs path label k r args t l c spread metrics_spread
    for spec in "${rows[@]}"; do
        read -r script mode <<<"$spec"
        for clients in $BENCH_CLIENTS; do
            jobs=$((clients < 2 ? clients : 2))
            args=(-M "$mode" -c "$clients" -j "$jobs" -T "$BENCH_SECONDS")
            if [[ $script == select-only ]]; then
                # nothing to vacuum for a read-only run
                args+=(-n -S)
            else
                args+=(-b "$script")
            fi
            local -A tps=() lat=() cpu=() this=()
            spread=""
            metrics_spread=""
            for ((r = 1; r <= BENCH_REPEAT; r++)); do
                if [[ $script != select-only ]]; then
                    # a checkpoint now rather than in the middle of one path's run
                    psql_at "$source_port" -c CHECKPOINT >/dev/null
                fi
                # Rotate which path goes first, so that drift (other load, checkpoints, table bloat) does not
                # always favour the same one.
                for ((k = 0; k < ${#paths[@]}; k++)); do
                    path="${paths[$(((row + r + k) % ${#paths[@]}))]}"
                    label="$script-$mode-c$clients-$path-r$r"
                    log "pgbench $label (${BENCH_SECONDS}s)"
                    read -r t l c < <(pgbench_run "$label" "${port_of[$path]}" "${pid_of[$path]}" "${args[@]}")
                    tps[$path]+="$t "
                    lat[$path]+="$l "
                    cpu[$path]+="$c "
                    this[$path]="$t"
                done
                spread+="$(ratio "${this[exodus]}" "${this[pgbouncer]}") "
                log "  → direct ${this[direct]}, exodus ${this[exodus]}, pgbouncer ${this[pgbouncer]} TPS"
                if ((BENCH_METRICS_COMPARE == 1)); then
                    metrics_spread+="$(ratio "${this[exodus]}" "${this[nometrics]}") "
                    log "  → exodus with metrics off ${this[nometrics]} TPS (on/off $(ratio "${this[exodus]}" "${this[nometrics]}"))"
                fi
            done
            for path in "${paths[@]}"; do
                tps[$path]="$(median "${tps[$path]}" 0)"
                lat[$path]="$(median "${lat[$path]}" 3)"
                cpu[$path]="$(median "${cpu[$path]}" 1)"
            done
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |%s\n' "$script" "$mode" "$clients" \
                "${tps[direct]}" "${tps[exodus]}" "${tps[pgbouncer]}" \
                "$(ratio "${tps[exodus]}" "${tps[direct]}")" "$(ratio "${tps[pgbouncer]}" "${tps[direct]}")" \
                "$(ratio "${tps[exodus]}" "${tps[pgbouncer]}")" "${spread_header:+ ${spread% } |}" >>"$table"
            printf '| %s | %s | %s | %s | %s | %s |\n' "$script" "$mode" "$clients" \
                "${lat[direct]}" "${lat[exodus]}" "${lat[pgbouncer]}" >>"$latencies"
            printf '| %s | %s | %s | %s | %s | %s |\n' "$script" "$mode" "$clients" \
                "${cpu[exodus]}" "${cpu[pgbouncer]}" "$(ratio "${cpu[exodus]}" "${cpu[pgbouncer]}")" >>"$cpu_table"
            if ((BENCH_METRICS_COMPARE == 1)); then
                printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$script" "$mode" "$clients" \
                    "${tps[exodus]}" "${tps[nometrics]}" "$(ratio "${tps[exodus]}" "${tps[nometrics]}")" \
                    "${cpu[exodus]}" "${cpu[nometrics]}" "$(ratio "${cpu[exodus]}" "${cpu[nometrics]}")" \
                    "${metrics_spread% }" >>"$metrics_table"
            fi
            unset tps lat cpu this
            row=$((row + 1))
        done
    done

    collect_errors

    local profile_file=""
    if ((BENCH_PROFILE == 1)); then
        profile_file="$REPO_ROOT/bench/results/$stamp-profile.txt"
        profile_proxy "$listen_port" "$profile_file"
    fi

    # -- 5. Report ----------------------------------------------------------------------------------------------
    local cpu mem_gb java_version pgbench_version commit load_end
    cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    mem_gb="$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
    java_version="$(java -version 2>&1 | sed -n 2p)"
    pgbench_version="$(pgbench --version)"
    commit="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
    local per_heap per_rss per_pss
    if ((sessions > 0)); then
        per_heap=$(((heap1 - heap0) / sessions))
        per_rss=$(((rss1 - rss0) / sessions))
        per_pss=$(((pss1 - pss0) / sessions))
    fi

    local result="$WORK/result.md"
    {
        echo "# Exodus benchmark, $started_at"
        echo
        echo "- machine: $(nproc) CPUs ($cpu), ${mem_gb} GiB memory; proxy, pgbench and PostgreSQL share them"
        echo "- PostgreSQL $pg_version (the proxy's embedded source server), $pgbench_version, $pgb_version"
        echo "- Java: $java_version; proxy JVM options: \`${BENCH_JAVA_OPTS:-none}\`; commit $commit"
        echo "- $BENCH_SECONDS s per run, $BENCH_REPEAT repeat(s) per path and row, pgbench scale $BENCH_SCALE, jobs = min(clients, 2), no TLS on any path"
        echo "- load average at start $load_start, at end $load_end"
        echo
        echo "## Throughput (TPS without initial connection time; median of $BENCH_REPEAT repeat(s))"
        echo
        cat "$table"
        echo
        echo "## Average latency (median of the repeats)"
        echo
        cat "$latencies"
        echo
        echo "## CPU time of the process in the middle per transaction (connection set-up included)"
        echo
        cat "$cpu_table"
        echo
        if ((BENCH_METRICS_COMPARE == 1)); then
            echo "## Cost of metrics (Exodus with metrics on / the same proxy with EXODUS_METRICS_ENABLED=false)"
            echo
            echo "Both in front of the same source, interleaved with the other paths; metrics on means the Prometheus"
            echo "registry only (no Datadog or DogStatsD unless EXODUS_METRICS_* says so). Medians of $BENCH_REPEAT repeat(s);"
            echo "an on/off ratio below 1 is what metrics cost, within the spread of the repeats."
            echo
            cat "$metrics_table"
            echo
        fi
        echo "## Start-up (launch of java -jar until a TCP connect to the listen port succeeds)"
        echo
        echo "- embedded mode (initdb and start of two PostgreSQL servers first): ${embedded_start_ms} ms"
        if ((${#starts[@]} > 0)); then
            echo "- against an already running server: ${starts[*]} ms (first query answered after ${first_query[*]} ms)"
        fi
        if ((sessions > 0)); then
            echo
            echo "## Memory per idle connection ($sessions sessions through a second proxy; heap = live objects after a full GC)"
            echo
            echo "| | 0 sessions | $sessions sessions | per connection |"
            echo "| --- | ---: | ---: | ---: |"
            echo "| proxy heap used | $heap0 | $heap1 | $per_heap B |"
            echo "| proxy RSS | $rss0 | $rss1 | $per_rss B |"
            echo "| PostgreSQL backends (Pss) | $pss0 | $pss1 | $per_pss B |"
            echo
            echo "Heap classes that grew most, per session (bytes, instances, class):"
            echo
            echo '```'
            histogram_growth "$WORK/histogram-0.txt" "$WORK/histogram-1.txt" "$sessions"
            echo '```'
        fi
        if ((${#RUN_ERRORS[@]} > 0)); then
            echo
            echo "## Errors"
            echo
            printf -- '- %s\n' "${RUN_ERRORS[@]}"
        fi
        if [[ -n $profile_file ]]; then
            echo
            echo "Profile of an 8-client select-only run through Exodus: $(basename "$profile_file")"
        fi
    } >"$result"

    mkdir -p "$REPO_ROOT/bench/results"
    cp "$result" "$REPO_ROOT/bench/results/$stamp.md"
    cat "$result"
    log "Written to bench/results/$stamp.md"
}

# One extra 8-client select-only run through the proxy under Java Flight Recorder; the most frequent top frames
# (where the CPU is) and frames anywhere on the stack (what is under way) of the execution samples.
profile_proxy() {
    local port="$1" out="$2" jfr="$WORK/profile.jfr"
    log "Profiling the proxy during an 8-client select-only run (${BENCH_SECONDS}s)"
    # The recording starts after the clients have connected: SCRAM at connection time is not what TPS measures.
    pgbench_run profile "$port" "" -n -S -M simple -c 8 -j 2 -T "$((BENCH_SECONDS + 4))" >"$WORK/profile-tps.txt" &
    local bench_pid=$!
    sleep 2
    jcmd "$PROXY_PID" JFR.start name=bench settings=profile filename="$jfr" >/dev/null
    sleep "$BENCH_SECONDS"
    jcmd "$PROXY_PID" JFR.stop name=bench >/dev/null
    wait "$bench_pid"
    mkdir -p "$(dirname "$out")"
    {
        echo "TPS and latency during the profiled run: $(cat "$WORK/profile-tps.txt")"
        echo
        echo "== top frames (self) of jdk.ExecutionSample =="
        jfr print --events jdk.ExecutionSample --stack-depth 1 "$jfr" \
            | awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); print }' | sort | uniq -c | sort -rn | head -40
        echo
        echo "== frames anywhere on the stack (inclusive, depth 64) =="
        jfr print --events jdk.ExecutionSample --stack-depth 64 "$jfr" \
            | awk '/stackTrace = \[/ { inside = 1; delete seen; next } inside && /^[ \t]*\]/ { inside = 0; next }
                   inside { sub(/^[ \t]+/, ""); sub(/ line: .*/, ""); if (!($0 in seen)) { seen[$0] = 1; print } }' \
            | sort | uniq -c | sort -rn | head -60
        echo
        echo "== top frames of jdk.NativeMethodSample (threads inside native code: syscalls, epoll) =="
        jfr print --events jdk.NativeMethodSample --stack-depth 3 "$jfr" \
            | awk '/stackTrace = \[/ { getline a; getline b; sub(/^[ \t]+/, "", a); sub(/^[ \t]+/, "", b);
                   sub(/ line: .*/, "", a); sub(/ line: .*/, "", b); print a " <- " b }' | sort | uniq -c | sort -rn | head -15
        echo
        echo "== samples per thread =="
        jfr print --events jdk.ExecutionSample "$jfr" | awk -F'"' '/sampledThread/ { print $2 }' | sort | uniq -c | sort -rn
    } >"$out"
}

main "$@"
