#!/usr/bin/env bash
# Fault-injection campaign against three local ActorKV processes and an
# embedded PostgreSQL (all on 127.0.0.1):
#   reliability/run.sh --runs 20 --minutes 2
# Builds the jar and the test classes, then runs io.actorkv.reliability.ReliabilityCampaign.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.actorkv.reliability.ReliabilityCampaign "$@"
