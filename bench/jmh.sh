#!/usr/bin/env bash
# Runs a JMH benchmark class that lives in a module's test sources.
#   bench/jmh.sh MODULE BENCHMARK [JMH options]    e.g. bench/jmh.sh klio-dedup KernelsBenchmark -f 2
set -euo pipefail
cd "$(dirname "$0")/.."
module=$1 bench=$2
shift 2
mvn -q -B -ntp -pl "bom,$module" -am install -DskipTests -Dspotless.check.skip=true
mvn -q -B -ntp -pl "$module" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
java -Xmx2g -cp "$cp" org.openjdk.jmh.Main "$bench" "$@"
