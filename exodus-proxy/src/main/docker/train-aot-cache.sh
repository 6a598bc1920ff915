#!/usr/bin/env bash
# Training run for the JDK's AOT cache, made while the image is built: the proxy's embedded default (two PostgreSQL
# servers of its own) up to ready, sessions relayed through it with psql (simple and extended protocol, a
# transaction, COPY), its health and metrics endpoints read, then a graceful stop, at which the JVM writes the cache.
# Usage: train-aot-cache.sh OUTPUT (e.g. /app/app.aot)
set -euo pipefail
readonly output="$1" password=training
# The migration demo would walk the embedded servers while this script writes tables of its own.
export EXODUS_DEMO_ENABLED=false EXODUS_EMBEDDED_PASSWORD="$password" EXODUS_TLS_MODE=disable PGPASSWORD="$password" PGSSLMODE=disable

http_get() { # path → body; bash's /dev/tcp, as the image has no curl
    exec 3<>/dev/tcp/127.0.0.1/8080 || return 1
    printf 'GET %s HTTP/1.0\r\n\r\n' "$1" >&3
    cat <&3
    exec 3>&-
}

java -XX:AOTCacheOutput="$output" -jar /app/quarkus-run.jar &
readonly pid=$!
for _ in $(seq 1 600); do
    http_get /q/health/ready 2>/dev/null | grep -q '"UP"' && break
    kill -0 "$pid" || { echo "the proxy stopped during training" >&2; exit 1; }
    sleep 0.2
done
# psql 16 and later send a statement with \bind through the extended protocol (Parse, Bind, Execute).
extended=""
(( $(psql --version | sed -E 's/[^0-9]*([0-9]+).*/\1/') >= 16 )) && extended='SELECT count(*) FROM training WHERE id <= $1 \bind 5 \g'
for round in $(seq 1 20); do
    psql -X -q -h 127.0.0.1 -p 6432 -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE TABLE IF NOT EXISTS training (id int PRIMARY KEY, note text);
BEGIN;
INSERT INTO training VALUES ($round, 'round $round') ON CONFLICT (id) DO UPDATE SET note = excluded.note;
COMMIT;
$extended
\copy (SELECT * FROM training) TO '/dev/null'
SQL
done
http_get /q/health/live >/dev/null
http_get /q/metrics >/dev/null
kill -TERM "$pid"
wait "$pid" || true
test -s "$output" || { echo "the JVM wrote no AOT cache to $output" >&2; exit 1; }
