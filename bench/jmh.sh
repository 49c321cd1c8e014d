#!/usr/bin/env bash
# Runs a JMH benchmark class that lives in a module's test sources.
#   bench/jmh.sh MODULE BENCHMARK [JMH options]    e.g. bench/jmh.sh klio-dedup KernelsBenchmark -f 2
set -euo pipefail
cd "$(dirname "$0")/.."
module=$1 bench=$2
shift 2
. bench/lib/classpath.sh
cp=$(test_classpath "$module")
java -Xmx2g -cp "$cp" org.openjdk.jmh.Main "$bench" "$@"
