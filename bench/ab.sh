#!/usr/bin/env bash
# Before/after on one machine in one run: two builds of actorkv.jar, each
# serving a single node on an embedded journal in turn (H2 by default, the
# journal every build has; JOURNAL=embedded-postgres for the default of
# builds that have it, through ACTORKV_JOURNAL, which older builds ignore),
# measured with the same `actorkv bench` (the second jar's), rounds
# alternating which goes first. Traffic stays on 127.0.0.1; each node gets
# fresh data and free ports.
#   bench/ab.sh BEFORE.jar AFTER.jar
# Or one build with plain HTTP (before) against HTTPS (after), a certificate
# for 127.0.0.1 made with openssl (docs/security.md):
#   bench/ab.sh --tls ACTORKV.jar
# OPS=idle: a warm-up of PUTs, then no requests for DURATION, and the CPU
# a second the node (and its database) spend on their own.
# DB_URL=jdbc:postgresql://... (DB_USER, DB_PASSWORD): every node on that
# PostgreSQL, one after another, instead of an embedded journal; its CPU is
# not counted.
# Environment: OPS="put get" ROUNDS=2 DURATION=15s WARMUP=10s CONNECTIONS=32 JOURNAL=h2
#   AUTH_ON=after (or before): that side's node requires bearer tokens (a
#   fresh HS256 secret) and the bench sends a root token; with the same jar
#   twice this measures the cost of authentication.
#   ENCRYPT_ON=after (or before): that side's node encrypts strong values at
#   rest with a fresh master key; with the same jar twice this measures the
#   cost of encryption.
#   EVENTUAL=1: measure an eventual namespace "ev" (last writer wins, write
#   and read level local) instead of the strong default; with ENCRYPT_ON this
#   measures sealing eventual values.
#   RATE=2000: open loop at that many requests a second instead of as fast as
#   the node answers; both sides then do the same work, so their CPU per
#   request compares even when the disk or neighbours slow both.
# BEFORE_OPTS="-Xms1g -Xmx1g" (the default), AFTER_OPTS (BEFORE_OPTS unless
#   set): the node JVM's options on each side; with the same jar twice this
#   measures JVM options. An empty value gives the JVM's own choices, as the
#   quick start's `java -jar target/actorkv.jar serve` does.
# Prints one line per measurement: round, jar (before|after), op, ops/s, p50,
# p99, and the node JVM's CPU per request of the measured run (user and
# system time, divided by the requests counted; the warm-up is a run of its
# own before it, and the JVM's start-up and compilation fall there), and on
# embedded PostgreSQL the database server's CPU per request likewise.
set -euo pipefail
work=$(mktemp -d)
tls=
if [ "$1" = --tls ]; then
  before=$2 after=$2 tls="$work/tls"
  mkdir "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2> /dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/node.key" -out "$tls/node.csr" 2> /dev/null
  openssl x509 -req -in "$tls/node.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName = IP:127.0.0.1\n') -out "$tls/node.crt" 2> /dev/null
else
  before=$1 after=$2
fi
ops=${OPS:-put get}
before_opts=${BEFORE_OPTS-"-Xms1g -Xmx1g"}
after_opts=${AFTER_OPTS-$before_opts}
rounds=${ROUNDS:-2}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
node=
trap '[ -n "$node" ] && kill "$node" 2>/dev/null; rm -rf "$work"' EXIT

node_cpu_ticks() { awk '{print $14 + $15}' "/proc/$node/stat"; }
# The embedded PostgreSQL's CPU, when the node runs one: its postmaster, the
# backends that ended (reaped into the postmaster's children's time) and the
# ones still running.
db_cpu_ticks() { # data directory
  local pm
  pm=$(head -1 "$1/postgres/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
    for c in $(ps -o pid= --ppid "$pm"); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || true; done
  } | awk '{s += $1} END {print s + 0}'
}

measure() { # round, label, jar
  local http mgmt data scheme=http serve=() client=() token=()
  http=$(free_port); mgmt=$(free_port); data="$work/$1-$2"
  if [ -n "$tls" ] && [ "$2" = after ]; then
    scheme=https
    serve=(--tls-cert "$tls/node.crt" --tls-key "$tls/node.key")
    client=(--ca-file "$tls/ca.crt")
  fi
  if [ "$2" = "${AUTH_ON:-}" ]; then
    [ -f "$work/secret" ] || java -jar "$after" token --new-secret "$work/secret" 2> /dev/null
    serve+=(--auth-secret-file "$work/secret")
    token=(--token "$(java -jar "$after" token --secret-file "$work/secret" --subject bench --role root --ttl 1h)")
  fi
  if [ "$2" = "${ENCRYPT_ON:-}" ]; then
    [ -f "$work/master.key" ] || java -jar "$after" token --new-secret "$work/master.key" 2> /dev/null
    serve+=(--master-key-file "$work/master.key")
  fi
  if [ -n "${DB_URL:-}" ]; then
    serve+=(--db-url "$DB_URL" --db-user "${DB_USER:-postgres}" --db-password "${DB_PASSWORD:-}")
  fi
  local opts=$before_opts
  [ "$2" = after ] && opts=$after_opts
  # shellcheck disable=SC2086 # the options split into words, as on a command line
  ACTORKV_JOURNAL=${JOURNAL:-h2} java $opts -jar "$3" serve --data-dir "$data" --http-port "$http" --management-port "$mgmt" \
    --remote-port "$(free_port)" "${serve[@]}" > "$data.log" 2>&1 &
  node=$!
  for _ in $(seq 1 120); do
    curl -sf ${tls:+--cacert "$tls/ca.crt"} "$scheme://127.0.0.1:$mgmt/ready" > /dev/null && break
    sleep 0.5
  done
  local namespace=()
  if [ -n "${EVENTUAL:-}" ]; then
    curl -sf ${tls:+--cacert "$tls/ca.crt"} ${token:+-H "Authorization: Bearer ${token[1]}"} -X PUT \
      -H 'Content-Type: application/json' -d '{"mode":"eventual","write":"local","read":"local"}' \
      "$scheme://127.0.0.1:$http/v1/namespaces/ev" > /dev/null
    namespace=(--namespace ev)
  fi
  for op in $ops; do
    local cpu_before db_before workload=$op
    [ "$op" = idle ] && workload=put
    # The warm-up as a run of its own, so that the CPU counted is the measured run's alone.
    java -jar "$after" bench ${RATE:+--rate "$RATE"} --target "$scheme://127.0.0.1:$http" "${client[@]}" \
      --workload "$workload" "${namespace[@]}" --duration "${WARMUP:-10s}" --warmup 0s \
      --connections "${CONNECTIONS:-32}" "${token[@]}" > /dev/null 2>&1
    cpu_before=$(node_cpu_ticks) db_before=$(db_cpu_ticks "$data")
    if [ "$op" = idle ]; then
      # No requests for DURATION: what the node and its database spend a second on their own.
      local seconds=${DURATION:-15s}
      sleep "$seconds"
      python3 -c 'import sys; n, d, tick, s = (float(a) for a in sys.argv[3:7]); print(f"round {sys.argv[1]}  {sys.argv[2]:6}  idle  node CPU {n / tick / s * 1000:.1f} ms/s" + (f"  database CPU {d / tick / s * 1000:.1f} ms/s" if d else ""))' \
        "$1" "$2" "$(( $(node_cpu_ticks) - cpu_before ))" "$(( $(db_cpu_ticks "$data") - db_before ))" \
        "$(getconf CLK_TCK)" "${seconds%s}"
      continue
    fi
    java -jar "$after" bench ${RATE:+--rate "$RATE"} --target "$scheme://127.0.0.1:$http" "${client[@]}" \
      --workload "$op" "${namespace[@]}" --duration "${DURATION:-15s}" --warmup 0s --no-load \
      --connections "${CONNECTIONS:-32}" "${token[@]}" --json "$work/r.json" > /dev/null 2>&1
    python3 - "$1" "$2" "$op" "$work/r.json" "$(( $(node_cpu_ticks) - cpu_before ))" "$(getconf CLK_TCK)" \
      "$(( $(db_cpu_ticks "$data") - db_before ))" <<'PY'
import json, sys
r = json.load(open(sys.argv[4]))
lat = r["latencyMs"]
tick_us = 1e6 / int(sys.argv[6]) / r["count"]
db = int(sys.argv[7])
print(f"round {sys.argv[1]}  {sys.argv[2]:6}  {sys.argv[3]:4}  {r['opsPerSecond']:9,.0f} ops/s  "
      f"p50 {lat['p50']:.2f} ms  p99 {lat['p99']:.2f} ms  errors {sum(r['errors'].values()) if r['errors'] else 0}  "
      f"node CPU {int(sys.argv[5]) * tick_us:.0f} µs/op" + (f"  database CPU {db * tick_us:.0f} µs/op" if db else ""))
PY
  done
  kill "$node"; wait "$node" 2>/dev/null || true; node=
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    measure "$round" before "$before"; measure "$round" after "$after"
  else
    measure "$round" after "$after"; measure "$round" before "$before"
  fi
done
