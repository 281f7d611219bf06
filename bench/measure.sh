#!/usr/bin/env bash
# Measurement programs of the test classes (docs/bench-tools.md, "Measuring
# programs"; their results in docs/benchmarks.md):
#   VisibilityDelay  three nodes, w=local writes on one, time until r=local reads
#                    on the other two see them;
#   KeysPerGiB       one node, heap per key after writing N keys;
#   FeedMeasure      one node, PUTs at a fixed rate, lag from each PUT's answer to
#                    its event on GET /v1/watch, and journal bytes per revision;
#   ListingMeasure   one node, the key index loaded with N rows, listing pages of
#                    1,000 keys timed;
#   BatchMeasure     one node, strong PUTs one at a time against batched, same
#                    number of clients;
#   TxnMeasure       one node, transactions of 2, 8 and 64 keys: txn/s, p50, p99;
#   ActivationMeasure one node restarted, first reads of N keys (each recovers
#                    its key from the journal) against second reads, in rounds
#                    (the first ones run while the JVM compiles);
#   JournalEngineMeasure no node: each candidate embedded journal (embedded
#                    PostgreSQL, H2, SQLite, RocksDB, LMDB) appending journal rows
#                    from N writers through one group commit, durable appends/s.
# Nodes run inside the measuring JVM, from the test classes; PostgreSQL is the
# embedded one of the tests. Maven holds /tmp/mvn.lock (shared checkout) and
# fetches only what the local repository lacks (the first run on a new
# machine needs the network for the dependency plugin). Traffic stays on
# 127.0.0.1.
#   bench/measure.sh [visibility|keys|feed|listing|batch|txn|activation|engines|all]   (default: all)
# Environment: WRITES=1000 RATE=25 MAX_IN_FLIGHT=20 PAUSE_MS=2 (visibility),
#              SIZES=100000,200000 BUCKETS=128 VALUE_BYTES=256 (keys),
#              FEED_RATE=2000 FEED_SECONDS=30 KEYS=1000 JOURNAL=postgresql|h2 (feed),
#              INDEX_KEYS=10000000 LISTINGS=500 KEYS_ONLY=true (listing),
#              CLIENTS=32 BATCH_SECONDS=20 BATCH_SIZE=100 JOURNAL (batch),
#              TXN_CLIENTS=16 TXN_SECONDS=15 TXN_SIZES=2,8,64 TXN_OP=increment|get JOURNAL (txn),
#              ACTIVATION_KEYS=5000 ACTIVATION_CLIENTS=16 ACTIVATION_ROUNDS=3 JOURNAL (activation),
#              ENGINES=postgresql,h2,sqlite,rocksdb,lmdb ENGINE_CLIENTS=32 ENGINE_SECONDS=15
#              ENGINE_WARMUP=5 (engines; in java.io.tmpdir, so on /tmp's disk).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
lock=${MVN_LOCK:-/tmp/mvn.lock}

# Build, then copy the classes away, so a build in the same checkout during
# the run cannot change them under the running JVM.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flock "$lock" mvn -B -q test-compile
flock "$lock" mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath.txt"
flock "$lock" cp -r target/classes target/test-classes "$work/"
cp="$work/test-classes:$work/classes:$(cat "$work/classpath.txt")"
# --add-opens for LMDB (Distributed Data's durable store), as the tests get them.
read -r -a opens <<< "$(sed -n 's:.*<jvm.opens>\(.*\)</jvm.opens>.*:\1:p' pom.xml)"

if [ "$what" = visibility ] || [ "$what" = all ]; then
  echo "== VisibilityDelay"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.VisibilityDelay \
    "${WRITES:-1000}" "${RATE:-25}" "${MAX_IN_FLIGHT:-20}" "${PAUSE_MS:-2}"
fi
if [ "$what" = keys ] || [ "$what" = all ]; then
  echo "== KeysPerGiB"
  java "${opens[@]}" -Xmx3g -cp "$cp" io.actorkv.measure.KeysPerGiB \
    "${SIZES:-100000,200000}" "${BUCKETS:-128}" "${VALUE_BYTES:-256}"
fi
if [ "$what" = feed ] || [ "$what" = all ]; then
  echo "== FeedMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.FeedMeasure \
    "${FEED_RATE:-2000}" "${FEED_SECONDS:-30}" "${KEYS:-1000}" "${JOURNAL:-postgresql}"
fi
if [ "$what" = listing ] || [ "$what" = all ]; then
  echo "== ListingMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.ListingMeasure \
    "${INDEX_KEYS:-10000000}" "${LISTINGS:-500}" "${KEYS_ONLY:-true}"
fi
if [ "$what" = batch ] || [ "$what" = all ]; then
  echo "== BatchMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.BatchMeasure \
    "${CLIENTS:-32}" "${BATCH_SECONDS:-20}" "${BATCH_SIZE:-100}" "${JOURNAL:-postgresql}"
fi
if [ "$what" = txn ] || [ "$what" = all ]; then
  echo "== TxnMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.TxnMeasure \
    "${TXN_CLIENTS:-16}" "${TXN_SECONDS:-15}" "${TXN_SIZES:-2,8,64}" "${JOURNAL:-postgresql}" "${TXN_OP:-increment}"
fi
if [ "$what" = activation ] || [ "$what" = all ]; then
  echo "== ActivationMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.ActivationMeasure \
    "${ACTIVATION_KEYS:-5000}" "${ACTIVATION_CLIENTS:-16}" "${JOURNAL:-postgresql}" "${ACTIVATION_ROUNDS:-3}"
fi
if [ "$what" = engines ] || [ "$what" = all ]; then
  echo "== JournalEngineMeasure"
  java "${opens[@]}" -Xmx2g -cp "$cp" io.actorkv.measure.JournalEngineMeasure \
    "${ENGINES:-postgresql,h2,sqlite,rocksdb,lmdb}" "${ENGINE_CLIENTS:-32}" "${ENGINE_SECONDS:-15}" \
    "${ENGINE_WARMUP:-5}"
fi
