#!/usr/bin/env bash
# fs BlobStore put/get of a 1 GiB object against dd (conv=fsync for writes) on the same disk,
# in one run, alternating which tool goes first each round. Prints medians and ratios
# (Klio throughput / dd throughput; >= 0.8 is the goal).
#
#   bench/fs-blobstore.sh [rounds=5] [size-MiB=1024] [work-dir=/work/klio-bench-fs]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
size_mib=${2:-1024}
work=${3:-/work/klio-bench-fs}

mvn -q -B -ntp -o -pl klio-storage-fs -am test-compile -Dspotless.check.skip=true >/dev/null 2>&1 \
  || mvn -q -B -ntp -pl klio-storage-fs -am test-compile -Dspotless.check.skip=true
cp="klio-storage-fs/target/test-classes:klio-storage-fs/target/classes:klio-storage-spi/target/classes:klio-api/target/classes"

rm -rf "$work" && mkdir -p "$work"
src="$work/source.bin"
head -c $((size_mib << 20)) /dev/urandom >"$src"
sync

klio() { java -Xmx256m -cp "$cp" io.klio.storage.fs.FsThroughput "$@" | awk '{print $3}'; }
dd_put() {
  rm -f "$work/dd.out"
  dd if="$src" of="$work/dd.out" bs=1M conv=fsync 2>&1 | awk '/copied/ {print $(NF-3)}'
}
dd_get() { dd if="$work/dd.out" of=/dev/null bs=1M 2>&1 | awk '/copied/ {print $(NF-3)}'; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

declare -a kp kg dp dg
for ((r = 0; r < rounds; r++)); do
  rm -rf "$work/store"
  if ((r % 2 == 0)); then
    dp+=("$(dd_put)"); kp+=("$(klio put "$work/store" "$src")")
    drop_caches; dg+=("$(dd_get)"); drop_caches; kg+=("$(klio get "$work/store")")
  else
    kp+=("$(klio put "$work/store" "$src")"); dp+=("$(dd_put)")
    drop_caches; kg+=("$(klio get "$work/store")"); drop_caches; dg+=("$(dd_get)")
  fi
  echo "round $((r + 1)): put klio ${kp[-1]}s dd ${dp[-1]}s | get klio ${kg[-1]}s dd ${dg[-1]}s"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
report() {
  local what=$1 k=$2 d=$3
  awk -v w="$what" -v k="$k" -v d="$d" -v s="$size_mib" 'BEGIN {
    printf "%-4s klio %7.1f MiB/s (median %.3fs)  dd %7.1f MiB/s (median %.3fs)  ratio %.2f\n",
      w, s / k, k, s / d, d, d / k }'
}
echo "$rounds rounds, ${size_mib} MiB, $(nproc) cores, $(df -h "$work" | awk 'NR==2 {print $1}')"
report put "$(median "${kp[@]}")" "$(median "${dp[@]}")"
report get "$(median "${kg[@]}")" "$(median "${dg[@]}")"
rm -rf "$work"
