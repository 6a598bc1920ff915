#!/usr/bin/env bash
# Training run for the JDK's AOT cache, made while the image is built: the analyzer with its embedded store up to
# ready, its REST API and health read, then a graceful stop, at which the JVM writes the cache.
# Usage: train-aot-cache.sh OUTPUT (e.g. /app/app.aot)
set -euo pipefail
readonly output="$1"

http_get() { # path → response; bash's /dev/tcp, as the image has no curl
    exec 3<>/dev/tcp/127.0.0.1/8081 || return 1
    printf 'GET %s HTTP/1.0\r\n\r\n' "$1" >&3
    cat <&3
    exec 3>&-
}

java -XX:AOTCacheOutput="$output" -jar /app/quarkus-run.jar &
readonly pid=$!
for _ in $(seq 1 600); do
    http_get /q/health/ready 2>/dev/null | grep -q '"UP"' && break
    kill -0 "$pid" || { echo "the analyzer stopped during training" >&2; exit 1; }
    sleep 0.2
done
# Without a source the profile and the report answer 503 saying what to set: their code paths still run.
for path in /analyzer/checks /analyzer/recommendations /analyzer/report /q/openapi /q/health/live /q/metrics; do
    http_get "$path" >/dev/null || true
done
kill -TERM "$pid"
wait "$pid" || true
test -s "$output" || { echo "the JVM wrote no AOT cache to $output" >&2; exit 1; }
