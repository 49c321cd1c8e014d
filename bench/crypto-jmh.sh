#!/usr/bin/env bash
# JMH: streaming encryption/decryption through klio-crypto vs the JDK's raw AES-256-GCM, one thread.
# One op = 64 MiB, so GB/s = ops/s * 0.0671.   BENCH=ColdStartBenchmark for the first-segment cost.
exec "$(dirname "$0")/jmh.sh" klio-crypto "${BENCH:-StreamingCryptoBenchmark}" "$@"
