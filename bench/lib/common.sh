# Sourced by the benchmarks: small helpers. Needs $work (timed writes $work/tmp/time.txt) and psql.
now() { date +%s.%N; }
die() { echo "FAILED: $*" >&2; exit 1; }
trap 'echo "FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
lock() { [[ -z ${LOCK:-} ]] || { exec 9>"$LOCK"; flock 9; }; }
unlock() { [[ -z ${LOCK:-} ]] || flock -u 9; }
drop_caches() {
  [[ ${DROP_CACHES:-1} == 1 ]] || return 0
  sync
  echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || { echo "cannot drop the page cache; going on without" >&2; DROP_CACHES=0; }
}
# timed CMD...: runs CMD as postgres under GNU time; sets secs (wall) and rss (peak RSS in KiB of
# its largest process: GNU time reads it from wait4, which covers the processes it forked and
# waited for)
timed() {
  local tf=$work/tmp/time.txt t0 t1
  t0=$(now)
  /usr/bin/time -v -o "$tf" runuser -u postgres -- "$@"
  t1=$(now)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
}
lsn_bytes() { psql -c "SELECT '$1'::pg_lsn - '0/0'::pg_lsn"; }
