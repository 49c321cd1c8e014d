#!/usr/bin/env bash
# The relay to Tier 2 against the backend's own puts (issue 16, "Figures"): for S3 (S3Proxy 4.1.0 on
# its on-disk store, in a JVM of its own) and Azure Blob (Azurite 3.35.0), on loopback, one JVM
# measures, against the same server, (a) raw parallel puts of N packs read from a Tier 1 directory
# and (b) the relay started on a Tier 1 holding the same packs (a backlog, as after an outage),
# until Tier 2 holds them all; the same number of threads for both; R rounds alternating which
# goes first; medians and the ratio relay/raw (goal >= 0.9: the relay adds no cost of its own).
#   bench/relay.sh [rounds=5] [objects=16] [size-MiB=32] [parallelism=4] [work-dir=/work/klio-bench-relay]
# Environment: BACKENDS="s3 azure" (default both); LOCK=FILE holds `flock FILE` while measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
objects=${2:-16}
size=${3:-32}
par=${4:-4}
work=${5:-/work/klio-bench-relay}
. bench/lib/classpath.sh
cp=$(test_classpath klio-server)
command -v azurite >/dev/null || npm install -g azurite@3.35.0 >/dev/null
for b in ${BACKENDS:-s3 azure}; do
  rm -rf "$work" && mkdir -p "$work"
  echo "== $b: bench/relay.sh $rounds $objects $size $par"
  if [[ -n ${LOCK:-} ]]; then
    flock "$LOCK" java -Xmx1g -cp "$cp" io.klio.server.relay.RelayThroughput "$b" "$objects" "$size" "$par" "$rounds" "$work"
  else
    java -Xmx1g -cp "$cp" io.klio.server.relay.RelayThroughput "$b" "$objects" "$size" "$par" "$rounds" "$work"
  fi
done
rm -rf "$work"
