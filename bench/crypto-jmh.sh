#!/usr/bin/env bash
# JMH: streaming encryption/decryption through klio-crypto vs the JDK's raw AES-256-GCM, one thread.
# One op = 64 MiB, so GB/s = ops/s * 0.0671.   bench/crypto-jmh.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -pl bom,klio-crypto -am install -DskipTests -Dspotless.check.skip=true
mvn -q -B -ntp -pl klio-crypto dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="klio-crypto/target/test-classes:klio-crypto/target/classes:$(cat klio-crypto/target/bench.classpath)"
java -Xmx2g -cp "$cp" org.openjdk.jmh.Main "${BENCH:-StreamingCryptoBenchmark}" "$@"
