#!/usr/bin/env bash
# Starts a three-node ActorKV cluster on this machine, all nodes sharing one
# PostgreSQL journal, and stops all three on Ctrl-C.
#
#   deploy/local-cluster.sh jdbc:postgresql://127.0.0.1:5432/actorkv USER PASSWORD
#
# Node n (1..3) serves HTTP on 808n, Artery on 2552n and management on 855n.
# Every node gets the same seed list, all three nodes: a restarted node then
# rejoins the running cluster instead of forming a second one by itself.
# Logs and data go to ./cluster-data/node-n/.
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,9p' "$0"
  exit 2
fi
DB_URL=$1
DB_USER=${2:-${ACTORKV_DB_USER:-}}
DB_PASSWORD=${3:-${ACTORKV_DB_PASSWORD:-}}
JAR=${ACTORKV_JAR:-target/actorkv.jar}
[ -f "$JAR" ] || { echo "no $JAR: build it with 'mvn -B package -DskipTests'" >&2; exit 1; }

pids=()
stop() {
  echo "stopping ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

for n in 1 2 3; do
  dir=cluster-data/node-$n
  mkdir -p "$dir"
  java -jar "$JAR" serve \
    --data-dir "$dir" \
    --http-port 808$n --remote-port 2552$n --management-port 855$n \
    --seed 127.0.0.1:25521 --seed 127.0.0.1:25522 --seed 127.0.0.1:25523 \
    --db-url "$DB_URL" --db-user "$DB_USER" --db-password "$DB_PASSWORD" \
    > "$dir/node.log" 2>&1 &
  pids+=($!)
  echo "node $n: http://127.0.0.1:808$n  (pid $!, log $dir/node.log)"
done

for n in 1 2 3; do
  until curl -sf "http://127.0.0.1:855$n/ready" > /dev/null; do
    kill -0 "${pids[$((n-1))]}" 2>/dev/null || { echo "node $n died; see cluster-data/node-$n/node.log" >&2; exit 1; }
    sleep 1
  done
done
echo "cluster ready:"
curl -s http://127.0.0.1:8081/v1/cluster; echo
wait
