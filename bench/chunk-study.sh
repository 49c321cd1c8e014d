#!/usr/bin/env bash
# Chooses FastCDC sizes on real PostgreSQL files: a stopped data directory (pgbench scale S plus a
# table of random text), then the same after updating 2% of pgbench_accounts' rows, either a
# contiguous range of them (pattern=range) or every 50th row (pattern=scattered, which touches every
# page). Prints, per chunker, what the second backup adds, next to a file-level incremental
# (pgBackRest-style). pg_wal and the other directories base backups skip are left out.
#   bench/chunk-study.sh [scale=20] [pattern=range|scattered] [work-dir=/work/klio-chunk-study]
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-20}
pattern=${2:-range}
work=${3:-/work/klio-chunk-study}
. bench/lib/pgdata.sh
trap 'stop_pg "$work"' EXIT
make_before_after "$work" "$scale" "$pattern" 55433
. bench/lib/classpath.sh
cp=$(test_classpath klio-dedup)
java -Xmx4g -cp "$cp" io.klio.dedup.bench.ChunkSizeStudy "$work/before" "$work/after" \
  "fixed(size=8192)" \
  "fastcdc(min=4096,avg=16384,max=65536)" \
  "fastcdc(min=16384,avg=65536,max=262144)" \
  "fastcdc(min=65536,avg=262144,max=1048576)" \
  "fastcdc(min=262144,avg=1048576,max=4194304)"
rm -rf "$work"
