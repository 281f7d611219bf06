#!/usr/bin/env bash
# Rough single-node figures: PUT then GET with wrk, 32 connections, 256-byte
# values, 10,000 keys, on the journal given (default: the embedded default journal;
# ACTORKV_JOURNAL=h2 for H2).
#   bench/single-node.sh [jdbc:postgresql://127.0.0.1:5432/db USER PASSWORD]
# Needs wrk (Debian package 'wrk') and target/actorkv.jar. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30s}
PORT=${PORT:-18080}
data=$(mktemp -d)
args=(serve --data-dir "$data" --http-port "$PORT" --remote-port 25600 --management-port 18600)
[ $# -ge 1 ] && args+=(--db-url "$1" --db-user "${2:-}" --db-password "${3:-}")
java -Xms2g -Xmx2g -jar target/actorkv.jar "${args[@]}" > "$data/node.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid; wait $pid || true; rm -rf "$data"' EXIT
until curl -sf "http://127.0.0.1:18600/ready" > /dev/null; do sleep 0.5; done
url="http://127.0.0.1:$PORT"
echo "== loading 10,000 keys"
head -c 256 /dev/zero | tr '\0' v > "$data/value"
seq 1 10000 | xargs -P 32 -I{} curl -sf -o /dev/null -X PUT --data-binary @"$data/value" "$url/v1/kv/default/key-{}"
echo "== warm-up (PUT, 10s)"; OP=put wrk -t2 -c32 -d10s -s bench/wrk-kv.lua "$url" > /dev/null
echo "== PUT";  OP=put wrk -t2 -c32 -d"$DURATION" --latency -s bench/wrk-kv.lua "$url"
echo "== GET";  OP=get wrk -t2 -c32 -d"$DURATION" --latency -s bench/wrk-kv.lua "$url"
