#!/usr/bin/env bash
# The cost of one restore_command call when the WAL file is already prefetched (issue 15, "Figures":
# goal <= 0.03 s per file): Klio's restore command (io.klio.server.cli.RestoreCommandLine, the one
# `klio restore` writes) run N times, as PostgreSQL runs it (%f and %p replaced, /bin/sh -c, in the
# data directory), each time on a spool that holds the segment; optionally pgBackRest's archive-get
# of N archived WAL files, one after the other, for comparison.
#   bench/restore-command.sh [N=200] [segment-MiB=16] [work-dir=/tmp/klio-bench-restore-command]
# Environment: STANZA=name WAL_FROM=<first segment> (and PGBACKREST_CONFIG, as pgBackRest reads it)
# also times `pgbackrest --stanza=$STANZA archive-get` of N segments from WAL_FROM on (a repository
# that holds them: bench/backup.sh makes one). The spool's segments are written before the timing
# (their content does not matter to a rename); nothing here starts a JVM per call: a call that does
# not find its segment in the spool runs /bin/false instead of klio get-wal and fails the run.
# Prints one line per tool: calls, total seconds, median and p90 per call.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
seg_mib=${2:-16}
work=${3:-/tmp/klio-bench-restore-command}
target=klio-server/target
jar="$(ls "$target"/klio-server-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -n 1 || true)"
[[ -n "$jar" ]] || { echo "build first: mvn -q -DskipTests package" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/data/pg_wal/klio-prefetch"
: >"$work/client.yaml"
cmd=$(java -cp "$jar:$target/lib/*" io.klio.server.cli.RestoreCommandLine /bin/false "$work/client.yaml")

# segment names 000000010000000000000001 … in order, as replay asks for them
name() { printf '00000001%08X%08X' $(($1 / (4096 / seg_mib))) $(($1 % (4096 / seg_mib))); }

# what PostgreSQL does to restore_command: %f, %p replaced (%% is not used by the paths here)
substitute() { local c=${cmd//%f/$1}; printf '%s' "${c//%p/pg_wal/RECOVERYXLOG}"; }

# per-call seconds on stdin -> "calls total median p90"
summary() {
  sort -g | awk '{ v[NR] = $1; t += $1 } END {
    printf "%d calls, %.3f s in all, median %.4f s, p90 %.4f s per call\n", NR, t, v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)] }'
}

for ((i = 1; i <= n; i++)); do
  head -c $((seg_mib << 20)) /dev/zero >"$work/data/pg_wal/klio-prefetch/$(name "$i")"
done
sync
times=$work/klio.times
: >"$times"
(
  cd "$work/data"
  for ((i = 1; i <= n; i++)); do
    c=$(substitute "$(name "$i")")
    t0=$(date +%s%N)
    /bin/sh -c "$c"
    t1=$(date +%s%N)
    rm -f pg_wal/RECOVERYXLOG
    echo "$(((t1 - t0) / 1000)) 1000000" | awk '{ printf "%.6f\n", $1 / $2 }' >>"$times"
  done
)
echo "klio restore_command (spooled): $(summary <"$times")"

if [[ -n ${STANZA:-} ]]; then
  [[ -n ${WAL_FROM:-} ]] || { echo "STANZA needs WAL_FROM (the first segment to fetch)" >&2; exit 2; }
  times=$work/pgbackrest.times
  : >"$times"
  tli=${WAL_FROM:0:8}
  seg=$((16#${WAL_FROM:8:8} * (4096 / seg_mib) + 16#${WAL_FROM:16:8}))
  for ((i = 0; i < n; i++)); do
    s=$((seg + i))
    f=$(printf '%s%08X%08X' "$tli" $((s / (4096 / seg_mib))) $((s % (4096 / seg_mib))))
    t0=$(date +%s%N)
    pgbackrest --stanza="$STANZA" archive-get "$f" "$work/data/pg_wal/RECOVERYXLOG"
    t1=$(date +%s%N)
    rm -f "$work/data/pg_wal/RECOVERYXLOG"
    echo "$(((t1 - t0) / 1000)) 1000000" | awk '{ printf "%.6f\n", $1 / $2 }' >>"$times"
  done
  echo "pgbackrest archive-get:         $(summary <"$times")"
fi
rm -rf "$work"
