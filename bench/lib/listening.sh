# shellcheck shell=bash
# Sourced by the benchmarks that start proxies: await_listening PORT PID LOG NAME waits (up to 3 minutes) until the
# process PID listens on PORT, and dies with its log when it exits first or never listens. The caller defines
# can_connect and die.

await_listening() {
    local port="$1" pid="$2" log_file="$3" name="$4"
    for _ in $(seq 1 900); do
        can_connect "$port" && return
        kill -0 "$pid" 2>/dev/null || { cat "$log_file" >&2; die "$name exited"; }
        sleep 0.2
    done
    die "$name did not listen"
}
