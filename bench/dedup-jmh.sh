#!/usr/bin/env bash
# JMH: FastCDC chunking, SHA-256, zstd and lz4 over 64 MiB of page-like data, one thread.
# One op = 64 MiB, so GB/s = ops/s * 0.0671.
exec "$(dirname "$0")/jmh.sh" klio-dedup KernelsBenchmark "$@"
