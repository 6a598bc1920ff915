# shellcheck shell=bash
# Sourced after bench/lib/embedded-proxy.sh by the benchmarks that run the initial sync more than once against the
# embedded pgbench tables (bench/sync.sh, bench/sync-throughput.sh): the admin API, a sync followed to its end, and
# the way back to phase direct with an empty target before the next repeat. The caller sets TOKEN, PG_USER and PG_DB.

api() {
    local method="$1" path="$2" body="${3:-}"
    curl -sf -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${body:+-d "$body"} "http://$HOST:$http_port$path"
}

# Starts POST /exodus/migration/sync and polls until it is done; the last status is left in $status.
run_sync_to_done() {
    local state=""
    api POST /exodus/migration/sync '{}' >/dev/null || die "the sync was refused: $(tail -n 5 "$WORK/proxy.log")"
    # The state by a bash match, not json (a Python start per look, up to 0.7 s on a loaded machine, was counted
    # in the sync's wall time); the sync's status object begins with it.
    local pattern='"sync":\{"state":"([a-z-]+)"'
    for _ in $(seq 1 12000); do
        status="$(api GET /exodus/migration)"
        [[ $status =~ $pattern ]] && state="${BASH_REMATCH[1]}"
        [[ $state == done || $state == failed ]] && break
        sleep 0.05
    done
    [[ $state == done ]] || die "the sync ended $state: $(echo "$status" | json "d['sync']")"
}

# Phase direct again and the pgbench tables gone from the target: the next sync starts as the first did.
back_to_direct_with_an_empty_target() {
    api PUT /exodus/migration/phase '{"phase": "direct", "reason": "next benchmark repeat"}' >/dev/null \
        || die "could not go back to phase direct"
    psql -q -h "$HOST" -p "$target_port" -U "$PG_USER" -d "$PG_DB" -c \
        "DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history" \
        >/dev/null || die "could not empty the target"
}
