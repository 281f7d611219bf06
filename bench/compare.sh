#!/usr/bin/env bash
# Side-by-side on this machine: etcd (one member, data on local disk),
# ActorKV (one node, PostgreSQL journal; a strong namespace, and an eventual
# one written and read at level local), a second ActorKV node on the
# embedded default journal (actorkv-embedded: its own PostgreSQL in its data
# directory) and Pekko HTTP serving a map (the ceiling), all driven by the
# same client, `actorkv bench`, alternating stores per workload. Prints one
# table. Everything it starts, it stops; all traffic stays on 127.0.0.1.
# Every journal here, and etcd, writes each commit to disk (fsync) before
# it answers.
#
#   bench/compare.sh                 # 30 s per run after 15 s of warm-up, 32 connections, 256-byte values, 10,000 keys
#   DURATION=60s bench/compare.sh
#   JAVA_OPTS=-XX:+UseG1GC bench/compare.sh
#   NODE_HEAP="-Xms2g -Xmx2g" bench/compare.sh
#   LOGS=/tmp/run10 bench/compare.sh # keep the logs (nodes, their GC, PostgreSQL, etcd) and each run's JSON
#   PG=embedded bench/compare.sh     # the embedded PostgreSQL even where a local one is installed
#   PRIME=0 bench/compare.sh         # no untimed first load (default 30 s per store, see below)
#   H2=1 bench/compare.sh            # also a node on the H2 journal (--journal h2), closed loop only
#
# The private PostgreSQL logs every statement (commits included) that takes
# 20 ms or more, so a latency tail can be matched against the journal's commits.
#
# JAVA_OPTS go to the node, the ceiling and the client (not to embedded PostgreSQL);
# the default is the parallel collector. NODE_HEAP sizes the node's and the
# ceiling's heaps; the default's large young generation makes young
# collections rare. docs/benchmarks.md explains both.
#
# Installs etcd-server and jq from Debian's packages if missing (needs root).
# PostgreSQL: a private server from the local PostgreSQL installation if there
# is one (initdb in a temporary directory), else the embedded one of the tests;
# both with the same settings and their WAL written once ahead.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-15s}
PRIME=${PRIME:-30s}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC}
NODE_HEAP=${NODE_HEAP:--Xms4g -Xmx4g -Xmn3g -XX:MaxTenuringThreshold=2 -XX:+AlwaysPreTouch}
CONNECTIONS=${CONNECTIONS:-32}
KEYS=${KEYS:-10000}
VALUE=${VALUE:-256}
work=$(mktemp -d /tmp/actorkv-compare.XXXXXX)
# The embedded journal's own directory: $work may become the private PostgreSQL's (chown below), and
# run as root, the embedded server's programs run unprivileged and cannot enter it.
embedded=$(mktemp -d /tmp/actorkv-compare-embedded.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${pg_started:-}" ]; then run_pg "$PGBIN/pg_ctl" -D "$work/pg" -m fast stop > /dev/null 2>&1 || true; fi
  if [ -n "${LOGS:-}" ]; then
    mkdir -p "$LOGS" && cp "$work"/*.log "$work"/*.json "$work"/*.out "$LOGS"/ 2>/dev/null || true
    cp "$embedded/postgres/server.log" "$LOGS/embedded-pg.log" 2>/dev/null || true
  fi
  rm -rf "$work" "$embedded"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1; }
wait_ready() { # management-port pid log: until the node is ready, or fail if it exited
  until curl -sf "http://127.0.0.1:$1/ready" > /dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "node exited before it was ready:"; grep -v '^\s*at ' "$3" | tail -5; exit 1; }
    sleep 0.5
  done
}
wait_http() { for _ in $(seq 1 240); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; exit 1; }

need=()
command -v etcd > /dev/null || need+=(etcd-server)
command -v jq > /dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" > /dev/null; fi
[ -f target/actorkv.jar ] || mvn -B -q package -DskipTests

# PostgreSQL: a private server, either kind set up alike. A server in service
# reuses old WAL segments. A fresh one creates each new 16 MB segment and fills
# it with zeros inside a commit: under load, a 30 to 40 ms stall every few
# seconds. Writing 1.8 GB of WAL once and checkpointing leaves that many
# segments to reuse (min_wal_size keeps them). Statements of 20 ms or more
# are logged, so that PUT tails can be matched against slow commits.
pg_settings=(min_wal_size=2GB max_wal_size=4GB log_min_duration_statement=20)
pg_setup="synchronous_commit=on, WAL segments ready for reuse"
warm=("CREATE TABLE walwarm AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 1800000) g"
  "DROP TABLE walwarm" "CHECKPOINT")
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -n "$PGBIN" ] && [ "${PG:-}" != embedded ]; then
  pgport=$(free_port)
  if [ "$(id -u)" = 0 ]; then owner=postgres; else owner=$(id -un); fi
  mkdir -p "$work/pg" && chown "$owner" "$work" "$work/pg"
  run_pg() { if [ "$owner" = "$(id -un)" ]; then "$@"; else su "$owner" -s /bin/sh -c "$(printf '%q ' "$@")"; fi; }
  run_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust > /dev/null
  run_pg "$PGBIN/pg_ctl" -D "$work/pg" -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 ${pg_settings[*]/#/-c }" \
    -l "$work/pg.log" -w start > /dev/null
  pg_started=1
  for sql in "${warm[@]}"; do run_pg "$PGBIN/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "$sql"; done
  run_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" -U postgres actorkv
  dburl="jdbc:postgresql://127.0.0.1:$pgport/actorkv"
  pgkind="local PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') ($pg_setup)"
else
  mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.actorkv.testing.EmbeddedPostgresMain \
    "${pg_settings[@]}" logging_collector=on log_directory="$work" log_filename=pg.log -- "${warm[@]}" > "$work/embedded-pg.out" 2>&1 &
  pids+=($!)
  until grep -q port= "$work/embedded-pg.out"; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "embedded PostgreSQL did not start:"; tail -20 "$work/embedded-pg.out"; exit 1; }
    sleep 0.5
  done
  pgline=$(grep -m1 port= "$work/embedded-pg.out")
  pgport=${pgline#port=}; pgport=${pgport%% *}; db=${pgline##*database=}
  dburl="jdbc:postgresql://127.0.0.1:$pgport/$db"
  pgkind="embedded PostgreSQL ($pg_setup)"
fi

# etcd: one member, data on local disk
etcd_port=$(free_port); etcd_peer=$(free_port)
etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "bench=http://127.0.0.1:$etcd_peer" > "$work/etcd.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$etcd_port/version"

# ActorKV: one node on that PostgreSQL
akv_port=$(free_port); mgmt_port=$(free_port); remote_port=$(free_port)
java $NODE_HEAP $JAVA_OPTS -Xlog:gc:file="$work/actorkv-gc.log":utctime -jar target/actorkv.jar serve --data-dir "$work/actorkv" --http-port "$akv_port" \
  --remote-port "$remote_port" --management-port "$mgmt_port" \
  --db-url "$dburl" --db-user postgres --db-password postgres > "$work/actorkv.log" 2>&1 &
pids+=($!)
wait_ready "$mgmt_port" $! "$work/actorkv.log"
curl -sf -X PUT "http://127.0.0.1:$akv_port/v1/namespaces/evbench" \
  -d '{"mode":"eventual","write":"local","read":"local"}' > /dev/null

# ActorKV on the embedded default: no --db-url. Its WAL is written once ahead
# like the private server's (with that server's psql, where there is one).
emb_port=$(free_port); emb_mgmt=$(free_port); emb_remote=$(free_port)
java $NODE_HEAP $JAVA_OPTS -Xlog:gc:file="$work/embedded-gc.log":utctime -jar target/actorkv.jar serve --data-dir "$embedded" \
  --http-port "$emb_port" --remote-port "$emb_remote" --management-port "$emb_mgmt" > "$work/embedded.log" 2>&1 &
pids+=($!)
wait_ready "$emb_mgmt" $! "$work/embedded.log"
embkind="embedded PostgreSQL, WAL not written ahead"
if [ -n "$PGBIN" ]; then
  emb_pg=$(sed -n 4p "$embedded/postgres/data/postmaster.pid")
  for sql in "${warm[@]}"; do
    PGPASSWORD=$(cat "$embedded/postgres/password") "$PGBIN/psql" -h 127.0.0.1 -p "$emb_pg" -U postgres -d actorkv -qc "$sql"
  done
  embkind="embedded PostgreSQL, WAL segments ready for reuse"
fi

# With H2=1, a node on the H2 journal as well (closed loop only): the embedded default before it was durable.
h2_stores=()
if [ "${H2:-0}" = 1 ]; then
  h2_port=$(free_port); h2_mgmt=$(free_port); h2_remote=$(free_port)
  java $NODE_HEAP $JAVA_OPTS -jar target/actorkv.jar serve --journal h2 --data-dir "$work/h2" \
    --http-port "$h2_port" --remote-port "$h2_remote" --management-port "$h2_mgmt" > "$work/h2.log" 2>&1 &
  pids+=($!)
  wait_ready "$h2_mgmt" $! "$work/h2.log"
  h2_stores=(actorkv-h2)
fi

# The ceiling: Pekko HTTP and a map
ceil_port=$(free_port)
java $NODE_HEAP $JAVA_OPTS -jar target/actorkv.jar http-ceiling --http-port "$ceil_port" > "$work/ceiling.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ceil_port/v1/kv/x/y"

bench() { # store workload extra-args...
  local store=$1 workload=$2; shift 2
  local kind=actorkv url ns=default name="$store-$workload$*"
  name=${name// /_} # e.g. actorkv-put--rate_4000: an open loop's files do not replace its closed loop's
  case $store in
    etcd) kind=etcd; url="http://127.0.0.1:$etcd_port" ;;
    actorkv) url="http://127.0.0.1:$akv_port" ;;
    actorkv-embedded) url="http://127.0.0.1:$emb_port" ;;
    actorkv-h2) url="http://127.0.0.1:$h2_port" ;;
    actorkv-eventual) url="http://127.0.0.1:$akv_port"; ns=evbench ;;
    ceiling) url="http://127.0.0.1:$ceil_port" ;;
  esac
  java $JAVA_OPTS -jar target/actorkv.jar bench --target "$url" --kind "$kind" --namespace "$ns" --workload "$workload" \
    --keys "$KEYS" --value-size "$VALUE" --connections "$CONNECTIONS" \
    --duration "${BENCH_DURATION:-$DURATION}" --warmup "${BENCH_WARMUP:-$WARMUP}" --json "$work/$name.json" "$@" > "$work/$name.out" 2>&1 \
    || { echo "bench failed: $store $workload"; tail -5 "$work/$name.out"; }
  echo "$work/$name.json"
}

rows=()
row() { # label store json [etcd-json]
  local label=$1 store=$2 json=$3 base=${4:-}
  local ops p50 p99 ratio="" errors
  ops=$(jq -r '.opsPerSecond' "$json"); p50=$(jq -r '.latencyMs.p50' "$json"); p99=$(jq -r '.latencyMs.p99' "$json")
  errors=$(jq -r '[.errors // {} | to_entries[] | .value] | add // 0' "$json")
  [ -n "$base" ] && ratio=$(jq -rn --argjson a "$ops" --argjson b "$(jq -r '.opsPerSecond' "$base")" '$a / $b * 100 | round / 100')
  rows+=("$(printf '| %s | %s | %.0f | %.2f | %.2f | %s | %s |' "$label" "$store" "$ops" "$p50" "$p99" "$errors" "$ratio")")
}

# A JVM compiles its hot paths under its first load. On 2 cores the node and
# the ceiling reached their full rate only 20 to 30 s into their first run,
# past that run's warm-up. So every store, etcd too, first serves PRIME of
# mixed reads and writes, not measured (PRIME=0 skips it).
if [ "$PRIME" != 0 ]; then
  echo "== priming each store: $PRIME of mixed reads and writes, not measured"
  for store in etcd actorkv actorkv-embedded "${h2_stores[@]}" actorkv-eventual ceiling; do BENCH_DURATION=$PRIME BENCH_WARMUP=1s bench $store mixed | grep -v '\.json$' || true; done
fi

echo "== closed loop: $CONNECTIONS connections, $VALUE-byte values, $KEYS keys, $DURATION after $WARMUP warm-up"
for workload in put get; do
  # Open loop at half of each store's own closed-loop maximum: latency under a steady, sustainable
  # load. Each runs right after its store's closed loop: a key idle for 2 minutes is passivated
  # (cluster.conf), and an open loop that started after the other stores' runs found all 10,000
  # keys passivated, so it measured their recovery (about 600 keys a second) instead.
  open_rows=()
  e=$(bench etcd $workload); row "$workload" etcd "$e"
  for store in etcd actorkv actorkv-embedded actorkv-eventual ceiling "${h2_stores[@]}"; do
    if [ $store = etcd ]; then f=$e; else f=$(bench $store $workload); row "$workload" $store "$f" "$e"; fi
    [ $store = actorkv-h2 ] && continue
    # The ceiling runs at the rate the eventual namespace (just before it) was asked for: the tail that
    # Pekko HTTP, the client and the machine give that rate with no store behind them.
    [ $store = ceiling ] || rate=$(jq -r '.opsPerSecond / 2 | floor' "$f")
    o=$(bench $store $workload --rate "$rate")
    row "$workload @ ${rate}/s (open loop)" $store "$o"
    open_rows+=("${rows[-1]}"); unset 'rows[-1]'
  done
  rows+=("${open_rows[@]}")
done

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; journal: $pgkind; actorkv-embedded: $embkind; etcd $(etcd --version | head -1 | awk '{print $3}'); JVMs: $JAVA_OPTS; node and ceiling heap: $NODE_HEAP; each store primed for $PRIME"
echo
echo "| workload | store | ops/s | p50 ms | p99 ms | errors | ratio to etcd |"
echo "|---|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
