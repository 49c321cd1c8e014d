#!/usr/bin/env bash
# Ingest and dedup benchmark, Klio's chunk repository against pgBackRest 2.45, in one run.
# Builds a stopped PostgreSQL data directory (pgbench scale S plus a table of random text), and a
# copy of it after updating 2% of pgbench_accounts' rows (pattern=range: a contiguous range of
# rows; scattered: every 50th row, which touches every page). Then, for R rounds, alternating
# which tool goes first: a full backup of "before" into a fresh repository, then a second backup of
# "after" (pgBackRest: --type=incr; Klio: the same ingest, deduplicated), with 2 threads/processes
# each and zstd level 3. Reports full-backup throughput, stored bytes and what the second backup
# adds (growth of the repository directory), with medians and Klio/pgBackRest ratios.
#   bench/dedup-ingest.sh [scale=70] [rounds=3] [pattern=range|scattered] [work-dir=/work/klio-dedup-bench]
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
scale=${1:-70}
rounds=${2:-3}
pattern=${3:-range}
work=${4:-/work/klio-dedup-bench}
command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed (apt-get install pgbackrest)" >&2; exit 1; }
. bench/lib/pgdata.sh
trap 'stop_pg "$work"' EXIT
make_before_after "$work" "$scale" "$pattern" 55434
size=$(du -sb --exclude=pg_wal "$work/before" | cut -f1)

. bench/lib/classpath.sh
cp=$(test_classpath klio-dedup)

# put "before" or "after" in place as the data directory both tools read (mtimes preserved)
use() { rm -rf "$work/pg" && cp -a "$work/$1" "$work/pg"; }
now() { date +%s.%N; }
dirsize() { du -sb "$1" | cut -f1; }

run_klio() { # prints: seconds full_bytes added_bytes
  local repo=$work/klio-repo
  rm -rf "$repo"
  use before
  local t0; t0=$(now)
  java -Xmx2g -cp "$cp" io.klio.dedup.bench.IngestBench "$repo" "$work/pg" 2 >"$work/klio-full.out"
  local t1; t1=$(now)
  local full; full=$(dirsize "$repo")
  use after
  java -Xmx2g -cp "$cp" io.klio.dedup.bench.IngestBench "$repo" "$work/pg" 2 >"$work/klio-incr.out"
  echo "$(awk "BEGIN{print $t1 - $t0}") $full $(($(dirsize "$repo") - full))"
}

run_pgbackrest() {
  local repo=$work/pgbr-repo
  rm -rf "$repo" "$work/pgbr-log" "$work/pgbr-lock"
  mkdir -p "$repo" "$work/pgbr-log" "$work/pgbr-lock"
  cat >"$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$repo
repo1-retention-full=9
log-path=$work/pgbr-log
lock-path=$work/pgbr-lock
log-level-console=error
compress-type=zst
compress-level=3
process-max=2

[bench]
pg1-path=$work/pg
CONF
  local opts=("--config=$work/pgbackrest.conf" --stanza=bench --no-online)
  use before
  pgbackrest "${opts[@]}" stanza-create
  local t0; t0=$(now)
  pgbackrest "${opts[@]}" --type=full backup
  local t1; t1=$(now)
  local full; full=$(dirsize "$repo")
  use after
  pgbackrest "${opts[@]}" --type=incr backup
  echo "$(awk "BEGIN{print $t1 - $t0}") $full $(($(dirsize "$repo") - full))"
}

echo "data directory without pg_wal: $size bytes; pattern $pattern; $rounds rounds" >&2
results=$work/results.txt
: >"$results"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order=(klio pgbackrest); else order=(pgbackrest klio); fi
  for tool in "${order[@]}"; do
    line=$("run_$tool")
    echo "$r $tool $line" | tee -a "$results" >&2
  done
done
echo "klio second ingest: $(cat "$work/klio-incr.out")" >&2

python3 - "$results" "$size" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
size = int(sys.argv[2])
def med(tool, col):
    return statistics.median(float(r[col]) for r in rows if r[1] == tool)
k_t, p_t = med("klio", 2), med("pgbackrest", 2)
k_f, p_f = med("klio", 3), med("pgbackrest", 3)
k_a, p_a = med("klio", 4), med("pgbackrest", 4)
mib = 1 << 20
print(f"| | Klio | pgBackRest 2.45 | Klio / pgBackRest |")
print(f"|---|---|---|---|")
print(f"| full backup, seconds (median) | {k_t:.1f} | {p_t:.1f} | {k_t / p_t:.2f} |")
print(f"| full backup, MiB/s | {size / k_t / mib:.0f} | {size / p_t / mib:.0f} | {p_t / k_t:.2f} |")
print(f"| full backup, stored MiB | {k_f / mib:.1f} | {p_f / mib:.1f} | {k_f / p_f:.2f} |")
print(f"| second backup adds, MiB | {k_a / mib:.1f} | {p_a / mib:.1f} | {k_a / p_a:.2f} |")
print(f"| second backup adds, % of the full | {100 * k_a / k_f:.1f}% | {100 * p_a / p_f:.1f}% | |")
PY
