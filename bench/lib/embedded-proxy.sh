# shellcheck shell=bash
# Sourced by the benchmarks that drive one proxy on the embedded default through its admin API (bench/sync.sh,
# bench/cutover.sh). The caller sets REPO_ROOT, HOST, PASSWORD, TOKEN, BENCH_JAVA_OPTS and BENCH_NAME; this file gives
# it log, die, free_port, can_connect and json, a work directory ($WORK) removed at exit, and start_embedded_proxy,
# which starts Exodus in phase direct with two embedded servers and sets listen_port, http_port, source_port and
# target_port. Processes the caller adds to BACKGROUND_PIDS are stopped at exit too. BENCH_PROXY_APP names another
# build's quarkus-app folder to run instead of this tree's, for an A/B.

log() { printf '[%s bench %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
can_connect() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

for tool in pgbench psql curl java python3; do
    command -v "$tool" >/dev/null || die "$tool is needed (bench/run.sh installs the PostgreSQL client tools)"
done
BENCH_PROXY_APP="${BENCH_PROXY_APP:-$REPO_ROOT/exodus-proxy/target/quarkus-app}"
if [[ ! -f "$BENCH_PROXY_APP/quarkus-run.jar" ]]; then
    # package, not install: a benchmark run in a worktree leaves the shared local repository alone.
    log "Building the proxy"
    (cd "$REPO_ROOT" && ./mvnw -B -q package -pl exodus-proxy -am -DskipTests) || die "build failed"
fi

WORK="$(mktemp -d "/tmp/exodus-$BENCH_NAME-bench.XXXXXX")"
cp -r "$BENCH_PROXY_APP" "$WORK/app"
PROXY_PID=""
BACKGROUND_PIDS=()
cleanup() {
    for pid in "${BACKGROUND_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true
    done
    if [[ -n $PROXY_PID ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
        kill -TERM "$PROXY_PID" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

start_embedded_proxy() {
    listen_port="$(free_port)"
    http_port="$(free_port)"
    source_port="$(free_port)"
    target_port="$(free_port)"
    log "Starting Exodus in phase direct with two embedded servers (source $source_port, target $target_port)"
    # shellcheck disable=SC2086 # options list
    env -u EXODUS_SOURCE_URL -u EXODUS_TARGET_URL EXODUS_DEMO_ENABLED=false EXODUS_LISTEN_PORT="$listen_port" QUARKUS_HTTP_PORT="$http_port" \
        EXODUS_EMBEDDED_PASSWORD="$PASSWORD" EXODUS_EMBEDDED_SOURCE_PORT="$source_port" \
        EXODUS_EMBEDDED_TARGET_PORT="$target_port" EXODUS_TLS_MODE=disable EXODUS_MIGRATION_PHASE=direct \
        EXODUS_SYNC_TABLES_WITHOUT_KEY=insert-only EXODUS_ADMIN_TOKEN="$TOKEN" \
        java $BENCH_JAVA_OPTS -jar "$WORK/app/quarkus-run.jar" </dev/null >"$WORK/proxy.log" 2>&1 &
    PROXY_PID=$!
    await_listening "$listen_port" "$PROXY_PID" "$WORK/proxy.log" "the proxy"
}

# shellcheck source=bench/lib/listening.sh
source "$REPO_ROOT/bench/lib/listening.sh"
