#!/usr/bin/env bash
# Drains the same WAL backlog (>= 2 GB, held by replication slots) with `klio receive-wal` and with
# pg_receivewal, in default and in --synchronous mode, alternating which tool goes first each
# round. Prints median throughput, the ratio klio/pg_receivewal, and klio's peak RSS.
#
#   bench/walstream-drain.sh [rounds=3] [backlog-GB=2] [work-dir=/work/klio-bench-wal]
#
# Runs PostgreSQL 15 from /usr/lib/postgresql/15/bin (as the postgres OS user when root).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
gb=${2:-2}
work=${3:-/work/klio-bench-wal}
. bench/lib/walbacklog.sh
[[ -x /usr/bin/time ]] || { apt-get install -y -q time >/dev/null 2>&1 || true; }

[[ -f klio-server/target/lib/klio-walstream-0.1.0-SNAPSHOT.jar ]] || mvn -q -B -ntp -DskipTests package

trap stop_bench_pg EXIT
start_bench_pg
modes=(default sync)
slots=()
for ((r = 0; r < rounds; r++)); do
  for m in "${modes[@]}"; do
    slots+=("klio_${m}_$r" "ref_${m}_$r")
  done
done
make_backlog "$gb" "${slots[@]}"

export PGPASSWORD=unused
conn="host=127.0.0.1 port=$port user=postgres"
run_klio() { # mode slot dir -> seconds and peak RSS KiB
  local extra=(); [[ $1 == sync ]] && extra=(--synchronous)
  local t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" java -Xmx256m ${KLIO_JAVA_OPTS:-} -cp "klio-server/target/klio-server-0.1.0-SNAPSHOT.jar:klio-server/target/lib/*" \
    io.klio.server.cli.Main receive-wal -d "$conn" -S "$2" -D "$3" -E "$end" "${extra[@]}" -n >&2
  echo "$(echo "$(date +%s.%N) - $t0" | bc) $(tail -n 1 "$work/rss")"
}
run_ref() {
  local extra=(); [[ $1 == sync ]] && extra=(--synchronous)
  local t0=$(date +%s.%N)
  "$bin/pg_receivewal" -d "$conn" -S "$2" -D "$3" -E "$end" "${extra[@]}" -n
  echo "$(echo "$(date +%s.%N) - $t0" | bc)"
}

declare -A times
rss_max=0
for ((r = 0; r < rounds; r++)); do
  for m in "${modes[@]}"; do
    mkdir -p "$work/k_${m}_$r" "$work/r_${m}_$r"
    if ((r % 2 == 0)); then
      kr=$(run_klio "$m" "klio_${m}_$r" "$work/k_${m}_$r"); rt=$(run_ref "$m" "ref_${m}_$r" "$work/r_${m}_$r")
    else
      rt=$(run_ref "$m" "ref_${m}_$r" "$work/r_${m}_$r"); kr=$(run_klio "$m" "klio_${m}_$r" "$work/k_${m}_$r")
    fi
    kt=${kr% *}; rss=${kr#* }
    ((rss > rss_max)) && rss_max=$rss
    times[k_$m]+="$kt "; times[r_$m]+="$rt "
    echo "round $((r + 1)) $m: klio ${kt}s (peak RSS ${rss} KiB)  pg_receivewal ${rt}s"
    rm -rf "$work/k_${m}_$r" "$work/r_${m}_$r"
  done
done

echo "--- $rounds rounds, backlog $((backlog / 1048576)) MiB, $(nproc) cores"
for m in "${modes[@]}"; do
  k=$(median "${times[k_$m]}"); p=$(median "${times[r_$m]}")
  awk -v m="$m" -v k="$k" -v p="$p" -v b="$backlog" 'BEGIN {
    printf "%-8s klio %6.1f MB/s (median %.2fs)  pg_receivewal %6.1f MB/s (median %.2fs)  ratio %.2f\n",
      m, b / 1e6 / k, k, b / 1e6 / p, p, p / k }'
done
echo "klio peak RSS: $((rss_max / 1024)) MiB (heap capped at -Xmx256m)"
