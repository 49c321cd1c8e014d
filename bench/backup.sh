#!/usr/bin/env bash
# Base backups and restores: Klio against pgBackRest 2.45 and pg_basebackup, side by side in one run
# (issue 15, "Figures"). One PostgreSQL 15 database (pgbench; scale 150 is about 2.2 GB), archived
# by both tools the whole time (pgBackRest through archive_command, Klio through send-wal into its
# server). R rounds; each round starts with fresh repositories, alternates which tool goes first,
# and drops the page cache (sync; echo 3 > /proc/sys/vm/drop_caches) before every timed step, for
# every tool alike:
#  1. a full backup by each tool: pgBackRest --type=full, pg_basebackup -Fp -Xs, klio backup;
#  2. 2% of pgbench_accounts' rows changed in one contiguous range (aid <= N/50), CHECKPOINT, a
#     second backup (pgBackRest --type=incr, klio backup): time, bytes changed, sent and stored,
#     absolute and as a fraction of the first;
#  3. a restore of the latest backup to its end (pgBackRest --type=immediate, klio restore --target
#     immediate; both --target-action promote): the restore command, then pg_ctl start, until the
#     server accepts connections and is out of recovery; the data is checked against the backup's;
#  4. pgbench until PITR-MB of WAL follow the backups, a target noted (TARGET=time, or lsn), changes
#     after it; a restore to the target by each tool, timed until promoted and accepting
#     connections; the data is checked against the state recorded at the target;
#  5. the restore to the target once more by each tool, every restore_command call timed by a
#     wrapper (bench/lib/timed-restore.sh; not in the wall times of 3 and 4, as it costs a bash and
#     an sh per call): median and p90 per WAL file; after the last round, pgbackrest archive-get
#     (and klio get-wal) alone, GET_N calls, one after the other, nothing else running;
#  6. peak RSS (GNU time -v) of every backup and restore command; the Klio server's VmHWM during
#     each backup (reset through /proc/PID/clear_refs before it, read after).
# After the rounds: a database of FILES one-page tables is added (timed), one backup and one restore
# by each tool (time, peak RSS); then, Klio only, a backup while the server catches up BACKLOG_GB of
# WAL (the server's peak RSS).
#   bench/backup.sh [rounds=3] [scale=150] [pitr-MB=1024] [work-dir=/work/klio-bench-backup]
# Environment: SKIP_KLIO=1 runs the reference tools only (so does a build whose `./klio backup
# --help` fails; the report says Klio was skipped); TARGET=time|lsn (default time); ASYNC=1 runs
# pgBackRest's archive-get asynchronously (a spool queue filled by process-max processes);
# FILES=N (default 100000; 0 skips that phase); BACKLOG_GB=N (default 2; 0 skips); GET_N=N (default
# 20); DROP_CACHES=0 keeps the page cache; LOCK=FILE holds `flock FILE` during each heavy phase (to
# stay out of other people's builds on a shared machine); RESTORE_TIMEOUT=seconds (default 7200).
# Runs as root (PostgreSQL, pgBackRest and the Klio client commands run as the postgres OS user).
set -Eeuo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
cmdline="$(for v in SKIP_KLIO TARGET ASYNC FILES BACKLOG_GB GET_N DROP_CACHES; do
  [[ -n ${!v:-} ]] && printf '%s=%s ' "$v" "${!v}"; done; true)bench/backup.sh $*"
rounds=${1:-3}
scale=${2:-150}
pitr_mb=${3:-1024}
work=${4:-/work/klio-bench-backup}
target_kind=${TARGET:-time}
files=${FILES:-100000}
backlog_gb=${BACKLOG_GB:-2}
get_n=${GET_N:-20}
restore_timeout=${RESTORE_TIMEOUT:-7200}
port=55450  # the database
rport=55451 # a restored cluster
gport=55452 # Klio server, gRPC
hport=55453 # Klio server, /metrics and /readyz
[[ $target_kind == time || $target_kind == lsn ]] || { echo "TARGET must be time or lsn" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "bench/backup.sh runs as root (it starts PostgreSQL as postgres and drops the page cache)" >&2; exit 2; }
here=$PWD
wrapper=$here/bench/lib/timed-restore.sh
. bench/lib/walbacklog.sh # bin, as_pg, psql (the database), start_bench_pg, stop_bench_pg, make_backlog, median

need_pkg() { # command package
  command -v "$1" >/dev/null && return 0
  echo "installing $2 ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null; }
}
need_pkg pgbackrest pgbackrest
[[ -x /usr/bin/time ]] || need_pkg /usr/bin/time time
pgbackrest version | grep -q '^pgBackRest 2\.45' || echo "note: $(pgbackrest version), not 2.45" >&2

. bench/lib/common.sh # now, die, lock, unlock, drop_caches, timed, lsn_bytes (and the ERR trap)
results=$work/results.txt
rec() { echo "$round $1 $2 $3" >>"$results"; } # tool metric value
# the state the restores are checked against: rows and sums of every pgbench table
state() {
  "$bin/psql" -X -q -A -t -h "$work/sock" -p "$1" -U postgres -d postgres -c "SELECT
    (SELECT count(*) || ':' || sum(abalance) FROM pgbench_accounts) || ' ' ||
    (SELECT count(*) || ':' || coalesce(sum(delta), 0) FROM pgbench_history) || ' ' ||
    (SELECT sum(bbalance) FROM pgbench_branches) || ' ' || (SELECT sum(tbalance) FROM pgbench_tellers)"
}

# ---------------------------------------------------------------------------------------------
# Klio: every Klio command the harness runs is in this block (adjust here when the CLI settles).
#  - klio backup --config client.yaml --output json: a JSON summary with backup_id, data_bytes,
#    new_bytes, stored_bytes, sent_bytes; client.yaml has backup.pgdata and backup.jobs: 2. It
#    should take the fast checkpoint (as pgBackRest start-fast=y and pg_basebackup -c fast do
#    here), or the comparison is unfair to Klio.
#  - klio restore --config client.yaml --pgdata DIR [--backup ID] [--target immediate |
#    --target-time T | --target-lsn L] --target-action promote --jobs 2: writes recovery.signal
#    and restore_command into postgresql.auto.conf; the harness starts the cluster with pg_ctl.
#  - the server (fresh Tier 1 each round, mTLS, encryption with a key ring) and send-wal, as in
#    bench/wal-path.sh. The server is not warmed up before a round's first backup (it has only
#    streamed the WAL written since it started): its JIT compiling the backup path counts.
# ---------------------------------------------------------------------------------------------
klio=("$here/klio")
kdir=$work/klio
server_pid= send_pid=
# (`klio backup --help` exits 0 with the top-level usage while there is no backup command: look
# for the subcommand's own usage line)
klio_available() {
  [[ -z ${SKIP_KLIO:-} ]] || return 1
  local c out
  for c in backup restore; do
    out=$("${klio[@]}" "$c" --help 2>&1) && [[ $out == "Usage: klio $c"* ]] || return 1
  done
}
. bench/lib/klio-server.sh # klio_setup, klio_client_yaml, klio_start, klio_stop, klio_wait_wal, server_hwm
klio_backup() { # first|second: timed; records its sizes and the server's peak during it
  rec klio server_rss_start "$(server_hwm)"
  server_hwm_reset
  timed "${klio[@]}" backup --config "$kdir/client.yaml" --output json >"$kdir/backup.json"
  rec klio "$1_s" "$secs"
  rec klio "$1_rss" "$rss"
  rec klio server_rss_backup "$(server_hwm)"
  local id data new stored sent
  read -r id data new stored sent < <(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(j["backup_id"], j["data_bytes"], j["new_bytes"], j["stored_bytes"], j["sent_bytes"])' "$kdir/backup.json")
  klio_last_id=$id
  rec klio "$1_data" "$data"
  rec klio "$1_new" "$new"
  rec klio "$1_sent" "$sent"
  rec klio "$1_stored" "$stored"
}
klio_restore() { # DIR end|pitr: timed (sets secs, rss)
  local args=(--backup "$klio_last_id" --target immediate)
  if [[ $2 == pitr ]]; then
    if [[ $target_kind == time ]]; then args=(--target-time "$target_time"); else args=(--target-lsn "$target_lsn"); fi
  fi
  rm -rf "$kdir/spool" && mkdir -p "$kdir/spool" && chown postgres: "$kdir/spool"
  timed "${klio[@]}" restore --config "$kdir/client.yaml" --pgdata "$1" "${args[@]}" \
    --target-action promote --jobs 2 >"$kdir/restore.out"
}
# once, untimed, before the rounds: the launcher writes a class-data-sharing archive of each
# command's classes when it first exits (klio-server/target/cds/, about a third off every start-up
# after), which takes seconds at that exit. The client commands run as postgres, so the directory
# is made writable for it, and each command runs once here (a throwaway server and backup), so
# that no timed step pays for writing an archive.
klio_train() {
  mkdir -p "$here/klio-server/target/cds"
  chmod 1777 "$here/klio-server/target/cds"
  klio_start
  as_pg "${klio[@]}" backup --config "$kdir/client.yaml" --output json >/dev/null
  empty_restore_dir
  as_pg "${klio[@]}" restore --config "$kdir/client.yaml" --pgdata "$rdir" --target immediate \
    --target-action promote --jobs 2 >/dev/null
  rm -rf "$rdir"
  wait_archives
  local seg; seg=$(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn() - 1)")
  as_pg "${klio[@]}" get-wal --config "$kdir/client-nospool.yaml" "$seg" "$work/logs/train-$seg" >/dev/null
  rm -f "$work/logs/train-$seg"
  klio_stop
}
klio_get_wal_cmd() { echo "${klio[*]} get-wal --config $kdir/client-nospool.yaml %f %p"; } # get-wal alone

# ---------------------------------------------------------------------------------------------
# pgBackRest: a repository on the same disk; zstd level 3, process-max 2, fast start checkpoint
# ---------------------------------------------------------------------------------------------
pdir=$work/pgbr
pgbackrest=(pgbackrest --config="$pdir/pgbackrest.conf" --stanza=bench)
pgbr() { as_pg "${pgbackrest[@]}" "$@"; }
pgbr_setup() {
  mkdir -p "$pdir/log" "$pdir/lock" "$pdir/spool"
  cat >"$pdir/pgbackrest.conf" <<CONF
[global]
repo1-path=$pdir/repo
repo1-retention-full=99
log-path=$pdir/log
lock-path=$pdir/lock
spool-path=$pdir/spool
log-level-console=error
compress-type=zst
compress-level=3
process-max=2
start-fast=y
$([[ -n ${ASYNC:-} && $ASYNC != 0 ]] && printf "\n[global:archive-get]\narchive-async=y\n")

[bench]
pg1-path=$work/pg
pg1-port=$port
pg1-socket-path=$work/sock
CONF
  chown -R postgres: "$pdir"
}
pgbr_new_repo() { # nothing writes WAL between rounds, so no archive-push falls between these two
  rm -rf "$pdir/repo" "$pdir/spool/archive"
  as_pg mkdir -p "$pdir/repo"
  pgbr stanza-create >/dev/null
}
pgbr_last() { # label size delta repo-size repo-delta of the newest backup
  pgbr --output=json info | python3 -c 'import json, sys
b = json.load(sys.stdin)[0]["backup"][-1]
i = b["info"]
print(b["label"], i["size"], i["delta"], i["repository"]["size"], i["repository"]["delta"])'
}
pgbr_backup() { # first|second
  local type=full
  [[ $1 == second ]] && type=incr
  timed "${pgbackrest[@]}" --type="$type" backup
  rec pgbackrest "$1_s" "$secs"
  rec pgbackrest "$1_rss" "$rss"
  local label size delta rsize rdelta
  read -r label size delta rsize rdelta < <(pgbr_last)
  [[ $label == *$([[ $type == full ]] && echo F || echo I) ]] || die "pgBackRest's newest backup is $label, not a $type backup"
  rec pgbackrest "$1_data" "$size"
  rec pgbackrest "$1_new" "$delta"    # bytes of the files it copied (uncompressed)
  rec pgbackrest "$1_sent" "$rdelta"  # what it wrote to the repository (compressed)
  rec pgbackrest "$1_stored" "$rdelta"
}
pgbr_restore() { # DIR end|pitr: timed (sets secs, rss)
  local args=(--type=immediate)
  if [[ $2 == pitr ]]; then
    if [[ $target_kind == time ]]; then args=(--type=time "--target=$target_time"); else args=(--type=lsn "--target=$target_lsn"); fi
  fi
  rm -rf "$pdir/spool/archive"
  timed "${pgbackrest[@]}" --pg1-path="$1" "${args[@]}" --target-action=promote restore
}
pgbr_archive_get_cmd() {
  echo "pgbackrest --config=$pdir/pgbackrest.conf --stanza=bench$([[ -n ${ASYNC:-} && $ASYNC != 0 ]] && echo " --no-archive-async") archive-get %f \"%p\""
}

# pg_basebackup: plain format, WAL streamed into the backup (-Xs), fast checkpoint, into a directory
# on the same disk. -Xs because, like pgBackRest and Klio (which wait until the WAL from the
# backup's start to its end is in their archive), the backup is then restorable on its own when
# the command returns; -X none ends sooner with a backup that needs an archive pg_basebackup lacks.
pgbb_backup() {
  rm -rf "$work/pgbb"
  timed "$bin/pg_basebackup" -D "$work/pgbb" -Fp -Xs -c fast -h "$work/sock" -p "$port" -U postgres
  rec pg_basebackup first_s "$secs"
  rec pg_basebackup first_rss "$rss"
  rec pg_basebackup first_data "$(du -sb --exclude=pg_wal "$work/pgbb" | cut -f1)"
  rec pg_basebackup first_stored "$(du -sb "$work/pgbb" | cut -f1)"
  rm -rf "$work/pgbb"
}

# ---------------------------------------------------------------------------------------------
# restored clusters
# ---------------------------------------------------------------------------------------------
rdir=$work/restore
psql_r() { "$bin/psql" -X -q -A -t -h "$work/sock" -p "$rport" -U postgres -d postgres "$@"; }
stop_restored() { [[ ! -f $rdir/postmaster.pid ]] || as_pg "$bin/pg_ctl" -D "$rdir" -m immediate -w stop >/dev/null 2>&1 || true; }
empty_restore_dir() { stop_restored; rm -rf "$rdir"; as_pg mkdir -m 0700 "$rdir"; }
# wrap_restore_command LOG: puts the timing wrapper around the restore_command the tool wrote
wrap_restore_command() {
  local line
  line=$(grep -E "^[[:space:]]*restore_command[[:space:]]*=" "$rdir/postgresql.auto.conf" | tail -n 1) ||
    die "no restore_command in $rdir/postgresql.auto.conf"
  line=${line#*=}
  sed -E "s/^[[:space:]]*'//; s/'[[:space:]]*(#.*)?$//; s/''/'/g" <<<"$line" >"$1.cmd"
  : >"$1"
  chown postgres: "$1" "$1.cmd"
  echo "restore_command = '$wrapper $1 $1.cmd %f %p %r'" >>"$rdir/postgresql.auto.conf"
}
# start_restored LOG: pg_ctl start, then until the server accepts connections out of recovery
start_restored() {
  as_pg "$bin/pg_ctl" -D "$rdir" -l "$1" -W \
    -o "-p $rport -c archive_mode=off -c listen_addresses='' -c unix_socket_directories='$work/sock'" start >/dev/null
  local t0=$SECONDS
  until [[ $(psql_r -c "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]; do
    if ((SECONDS - t0 > 2)) && ! as_pg "$bin/pg_ctl" -D "$rdir" status >/dev/null 2>&1; then
      tail -n 20 "$1" >&2
      die "the restored cluster stopped (log: $1)"
    fi
    ((SECONDS - t0 < restore_timeout)) || die "the restored cluster did not leave recovery in $restore_timeout s (log: $1)"
    sleep 0.05
  done
}
# restore TOOL end|pitr EXPECTED-STATE [calls]: restore, start, check the data; records the times,
# the peak RSS and the WAL files restored. With "calls", the restore_command runs inside the timing
# wrapper and only the calls are recorded: the wrapper (a bash and an sh per call, ~20 ms each on
# this VM) would otherwise be part of the wall time, for a tool whose goal is 30 ms per file
restore() {
  local tool=$1 kind=$2 expected=$3 calls=${4:-} log=$work/logs/$1-$2-$round${4:+-calls}
  empty_restore_dir
  drop_caches
  local t0; t0=$(now)
  "${tool/pgbackrest/pgbr}_restore" "$rdir" "$kind"
  [[ -n $calls ]] || rec "$tool" "${kind}_restore_s" "$secs"
  [[ -n $calls ]] || rec "$tool" "${kind}_restore_rss" "$rss"
  [[ -z $calls ]] || wrap_restore_command "$log.calls"
  start_restored "$log.pg.log"
  local t1; t1=$(now)
  local got; got=$(state "$rport")
  [[ $got == "$expected" ]] || die "$tool restored the wrong data ($kind, round $round): got '$got', expected '$expected' (log: $log.pg.log)"
  if [[ -z $calls ]]; then
    rec "$tool" "${kind}_s" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')"
    rec "$tool" "${kind}_files" "$(grep -c 'restored log file ".*" from archive' "$log.pg.log" || true)"
  else # per WAL file (24 hex digits) fetched, the call's time; misses (history files, the end) apart
    awk -v tool="$tool" -v kind="$kind" -v r="$round" 'length($3) == 24 && $3 ~ /^[0-9A-F]+$/ && $2 == 0 {print r, tool, kind "_call_ms", $1 / 1000}
      $2 != 0 {n++} END {print r, tool, kind "_misses", n + 0}' "$log.calls" >>"$results"
  fi
  stop_restored
  rm -rf "$rdir"
}

# ---------------------------------------------------------------------------------------------
# the database
# ---------------------------------------------------------------------------------------------
# both archives hold all WAL written so far (a segment switch, then pgBackRest's archiver and
# Klio's durable position)
wait_archives() {
  local seg last t0=$SECONDS
  # the segment the switch completed (its end + 1 is what pg_switch_wal returns; without a switch,
  # the start of the current segment, so the one before it): not pg_current_wal_lsn() afterwards,
  # which a record written meanwhile (a checkpoint, a standby snapshot) moves into a segment that
  # nothing completes
  seg=$(psql -c "SELECT pg_walfile_name(pg_switch_wal() - 1)")
  until last=$(psql -c "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") && [[ -n $last && ! $last < $seg ]]; do
    ((SECONDS - t0 < 600)) || die "pgBackRest's archive did not reach $seg in 600 s: $(psql -c "SELECT * FROM pg_stat_archiver")"
    sleep 0.2
  done
  # Klio: the segments before the current one (after the switch, the current one may hold no
  # record yet, so its insert position is one an idle stream never reaches)
  ! $with_klio || klio_wait_wal "$(psql -c "SELECT '0/0'::pg_lsn + ((pg_current_wal_lsn() - '0/0'::pg_lsn) - ((pg_current_wal_lsn() - '0/0'::pg_lsn) % (SELECT setting::numeric FROM pg_settings WHERE name = 'wal_segment_size')))")"
}

cleanup() {
  stop_restored
  klio_stop
  stop_bench_pg
}
# leftovers of an interrupted run (by their recorded process ids), then a clean work directory
for f in "$kdir/server.pid" "$kdir/send-wal.pid"; do
  [[ -f $f ]] && p=$(<"$f") && grep -qs 'io.klio.server.cli.Main' "/proc/$p/cmdline" && kill "$p" 2>/dev/null || true
done
stop_restored
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
if [[ -z ${SKIP_KLIO:-} ]] && ! ls klio-server/target/klio-server-*.jar >/dev/null 2>&1; then
  echo "building Klio ..." >&2
  flock /tmp/klio-build.lock mvn -q -B -ntp -DskipTests package
fi
with_klio=false
klio_skip_reason=
if klio_available; then with_klio=true
elif [[ -n ${SKIP_KLIO:-} ]]; then klio_skip_reason="SKIP_KLIO is set"
else klio_skip_reason="\`./klio backup --help\` and \`./klio restore --help\` do not show those commands: this build has not got them"; fi

lock
start_bench_pg # a new $work with a PostgreSQL 15 cluster listening on 127.0.0.1:$port
mkdir -p "$work/tmp" "$work/logs"
chown postgres: "$work/logs"
cat >>"$work/pg/postgresql.conf" <<CONF
archive_mode = on
archive_command = 'pgbackrest --config=$pdir/pgbackrest.conf --stanza=bench archive-push %p'
autovacuum = off
checkpoint_timeout = 1h
CONF
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -m fast -w restart >/dev/null
pgbr_setup
pgbr_new_repo
! $with_klio || klio_setup
round=setup
: >"$results"
echo "building the database (pgbench scale $scale) ..." >&2
t0=$(now)
"$bin/pgbench" -q -i -s "$scale" -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1
rec all build_s "$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')"
accounts=$((scale * 100000))
! $with_klio || klio_train
unlock

for ((round = 1; round <= rounds; round++)); do
  lock
  echo "=== round $round of $rounds" >&2
  # fresh repositories; everything frozen and checkpointed, so that hint bits set later do not
  # make pages look changed; both archives up to date before anything is timed
  pgbr_new_repo
  ! $with_klio || klio_start
  psql -c "VACUUM (FREEZE, ANALYZE)"
  psql -c "CHECKPOINT"
  wait_archives
  rec all db_bytes "$(psql -c "SELECT sum(pg_database_size(oid)) FROM pg_database")"
  if ((round % 2)); then order=(klio pgbackrest pg_basebackup); else order=(pg_basebackup pgbackrest klio); fi
  $with_klio || order=("${order[@]/klio/}")
  for tool in ${order[*]}; do
    drop_caches
    case $tool in
      klio) klio_backup first ;; pgbackrest) pgbr_backup first ;; pg_basebackup) pgbb_backup ;;
    esac
    echo "round $round: full backup, $tool: ${secs}s, peak RSS $((rss / 1024)) MiB" >&2
  done
  # 2% of the rows, contiguous (every page of the table would change if they were spread)
  psql -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $((accounts / 50))"
  state_backup=$(state "$port") # reads every page: sets the hint bits of the changed rows before the CHECKPOINT
  psql -c "CHECKPOINT"
  wait_archives
  for tool in ${order[*]}; do
    [[ $tool == pg_basebackup ]] && continue
    drop_caches
    case $tool in klio) klio_backup second ;; pgbackrest) pgbr_backup second ;; esac
    echo "round $round: second backup (contiguous 2% of the rows changed), $tool: ${secs}s" >&2
  done
  for tool in ${order[*]}; do
    [[ $tool == pg_basebackup ]] && continue
    restore "$tool" end "$state_backup"
    echo "round $round: restore to the end of the backup, $tool: $(awk -v r="$round" -v t="$tool" '$1 == r && $2 == t && $3 == "end_s" {print $4}' "$results")s, data checked" >&2
  done

  # WAL for the point in time: pgbench until PITR-MB after the backups, then the target, then more
  echo "round $round: pgbench until ${pitr_mb} MB of WAL ..." >&2
  lsn0=$(psql -c "SELECT pg_current_wal_lsn()")
  while (($(psql -c "SELECT pg_current_wal_lsn() - '$lsn0'::pg_lsn") < pitr_mb * 1048576)); do
    "$bin/pgbench" -n -c 4 -j 2 -T 10 -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1
  done
  state_target=$(state "$port")
  target_time=$(psql -c "SELECT clock_timestamp()")
  target_lsn=$(psql -c "SELECT pg_current_wal_insert_lsn()")
  rec all pitr_wal_bytes "$(psql -c "SELECT '$target_lsn'::pg_lsn - '$lsn0'::pg_lsn")"
  sleep 1.2 # later commits carry later timestamps
  psql -c "UPDATE pgbench_branches SET bbalance = bbalance + 1000000"
  psql -c "UPDATE pgbench_accounts SET abalance = abalance - 1 WHERE aid <= 100"
  wait_archives
  for tool in ${order[*]}; do
    [[ $tool == pg_basebackup ]] && continue
    restore "$tool" pitr "$state_target"
    echo "round $round: restore to $target_kind $([[ $target_kind == time ]] && echo "$target_time" || echo "$target_lsn"), $tool: $(awk -v r="$round" -v t="$tool" '$1 == r && $2 == t && $3 == "pitr_s" {print $4}' "$results")s, data checked" >&2
  done
  for tool in ${order[*]}; do # again, each restore_command call timed
    [[ $tool == pg_basebackup ]] && continue
    restore "$tool" pitr "$state_target" calls
    echo "round $round: restore to the target with each restore_command call timed, $tool: median $(awk -v r="$round" -v t="$tool" \
      '$1 == r && $2 == t && $3 == "pitr_call_ms" {print $4}' "$results" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') ms per WAL file" >&2
  done

  if ((round == rounds)); then # the restore_command alone, GET_N calls, each for another segment
    mapfile -t segs < <(find "$pdir/repo/archive/bench" -type f -name '[0-9A-F]*' -printf '%f\n' | cut -c1-24 |
      grep -E '^[0-9A-F]{24}$' | sort -u | tail -n $((get_n + 3)) | head -n "$get_n")
    tools=(pgbackrest)
    ! $with_klio || tools+=(klio)
    for tool in "${tools[@]}"; do
      log=$work/logs/$tool-get
      if [[ $tool == klio ]]; then klio_get_wal_cmd >"$log.cmd"; else pgbr_archive_get_cmd >"$log.cmd"; fi
      : >"$log"
      rm -rf "$work/get" && as_pg mkdir "$work/get"
      chown postgres: "$log" "$log.cmd"
      drop_caches
      as_pg bash -c 'for s in "${@:4}"; do "$1" "$2" "$2.cmd" "$s" "$3/$s" || exit 1; done' _ "$wrapper" "$log" "$work/get" "${segs[@]}"
      awk -v r="$round" -v tool="$tool" '$2 == 0 {print r, tool, "get_call_ms", $1 / 1000}' "$log" >>"$results"
    done
    rm -rf "$work/get"
  fi
  ! $with_klio || klio_stop
  unlock
done

# a cluster of FILES files: a database of one-page tables, created in batches until PGDATA holds FILES
if ((files > 0)); then
  lock
  round=files
  echo "=== $files files" >&2
  pgbr_new_repo
  ! $with_klio || klio_start
  psql -c "CREATE DATABASE files"
  count_files() { find "$work/pg" -path "$work/pg/pg_wal" -prune -o -type f -print | wc -l; }
  t0=$(now)
  n=0
  while (($(count_files) < files)); do
    "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d files -c "DO \$\$ BEGIN
      FOR i IN $((n + 1))..$((n + 10000)) LOOP
        EXECUTE format('CREATE TABLE f_%s AS SELECT 1 AS a', i);
        IF i % 1000 = 0 THEN COMMIT; END IF;
      END LOOP; END \$\$"
    n=$((n + 10000))
  done
  rec all files_create_s "$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')"
  rec all files_count "$(count_files)"
  psql -c "VACUUM (FREEZE, ANALYZE)" # only the catalogs and pgbench have anything to do
  psql -c "CHECKPOINT"
  wait_archives
  tools=(pgbackrest)
  ! $with_klio || tools=(klio pgbackrest)
  for tool in "${tools[@]}"; do
    drop_caches
    if [[ $tool == klio ]]; then klio_backup first; else pgbr_backup first; fi
    echo "$files files: full backup, $tool: ${secs}s, peak RSS $((rss / 1024)) MiB" >&2
    empty_restore_dir
    drop_caches
    if [[ $tool == klio ]]; then klio_restore "$rdir" end; else pgbr_restore "$rdir" end; fi
    rec "$tool" end_restore_s "$secs"
    rec "$tool" end_restore_rss "$rss"
    got=$(find "$rdir" -path "$rdir/pg_wal" -prune -o -type f -print | wc -l)
    ((got >= files)) || die "$tool restored $got files, expected at least $files"
    echo "$files files: restore (files only, not started), $tool: ${secs}s, peak RSS $((rss / 1024)) MiB, $got files" >&2
    rm -rf "$rdir"
  done
  ! $with_klio || klio_stop
  unlock
fi

# Klio only: a backup while the server catches up a WAL backlog (send-wal stopped while it is made)
if $with_klio && ((backlog_gb > 0)); then
  lock
  round=catchup
  echo "=== a backup during a catch-up of $backlog_gb GB of WAL" >&2
  klio_start
  klio_stop_send_wal
  psql -c "ALTER SYSTEM SET archive_command = '/bin/true'" # pgBackRest takes no part here
  psql -c "SELECT pg_reload_conf()" >/dev/null
  make_backlog "$backlog_gb"
  rec klio catchup_server_rss_start "$(server_hwm)"
  server_hwm_reset
  "${klio[@]}" send-wal --config "$kdir/client.yaml" >>"$kdir/send-wal.log" 2>&1 9>&- &
  send_pid=$!
  timed "${klio[@]}" backup --config "$kdir/client.yaml" --output json >"$kdir/backup.json"
  klio_wait_wal "$end"
  rec klio catchup_backup_s "$secs"
  rec klio catchup_backup_rss "$rss"
  rec klio catchup_server_rss "$(server_hwm)"
  klio_stop
  unlock
fi

# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------
echo
echo "--- $(date -u +%F), $rounds rounds, pgbench scale $scale, $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB;" \
  "page cache dropped before each timed step: $([[ ${DROP_CACHES:-1} == 1 ]] && echo yes || echo no);" \
  "pgBackRest archive-get $([[ -n ${ASYNC:-} && $ASYNC != 0 ]] && echo asynchronous || echo synchronous)"
$with_klio || echo "Klio: skipped ($klio_skip_reason); reference tools only"
echo "command: $cmdline"
python3 - "$results" "$target_kind" "$with_klio" <<'PY'
import collections, math, statistics, sys
path, target_kind, with_klio = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
by = collections.defaultdict(dict)      # (tool, metric) -> {round: value} (single values)
calls = collections.defaultdict(list)   # (tool, metric) -> [values] (per-call times)
for line in open(path):
    r, tool, metric, value = line.split()
    if metric.endswith("_call_ms"):
        calls[(tool, metric)].append(float(value))
    else:
        by[(tool, metric)][r] = float(value)
rounds = sorted({r for v in by.values() for r in v if r.isdigit()}, key=int)
MiB = 1 << 20
def vals(tool, metric, main=True):
    d = by.get((tool, metric), {})
    return [v for r, v in d.items() if (r in rounds) == main]
def med(tool, metric, main=True):
    v = vals(tool, metric, main)
    return statistics.median(v) if v else None
def frac(tool, a, b):  # median over the rounds of a / b
    da, db = by.get((tool, a), {}), by.get((tool, b), {})
    v = [da[r] / db[r] for r in rounds if r in da and r in db and db[r]]
    return statistics.median(v) if v else None
def pct(values, q):
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)] if s else None
def mx(tool, metric):  # the largest over the rounds
    v = vals(tool, metric)
    return max(v) if v else None
def fmt(x, spec):
    return "—" if x is None else format(x, spec)
def ratio(k, p):
    return "—" if k is None or p is None or not p else f"**{k / p:.2f}**"
K, P, B = "klio", "pgbackrest", "pg_basebackup"
db = med("all", "db_bytes")
wal = med("all", "pitr_wal_bytes")
print(f"database: {fmt(db and db / MiB, '.0f')} MiB (median over the rounds); WAL replayed to the target: "
      f"{fmt(wal and wal / MiB, '.0f')} MiB (median); change before the second backup: 2% of pgbench_accounts' rows, contiguous")
if ("all", "files_count") in by:
    print(f"files phase: {by[('all', 'files_count')]['files']:.0f} files in PGDATA (without pg_wal), "
          f"creating the tables took {by[('all', 'files_create_s')]['files']:.0f} s")
print()
print("| | Klio | pgBackRest 2.45 | pg_basebackup | Klio / pgBackRest | goal |")
print("|---|---|---|---|---|---|")
def row(label, metric, spec=".1f", scale=1.0, goal="", tools=(K, P, B), r=True):
    v = {t: (med(t, metric) / scale if med(t, metric) is not None else None) if t in tools else None for t in (K, P, B)}
    print(f"| {label} | {fmt(v[K], spec)} | {fmt(v[P], spec)} | {fmt(v[B], spec)} | {ratio(v[K], v[P]) if r else ''} | {goal} |")
row("full backup, s", "first_s", goal="≤ 0.8")
row("full backup, data MiB", "first_data", ".0f", MiB)
row("full backup, stored MiB", "first_stored", ".0f", MiB)
row("full backup, peak RSS MiB", "first_rss", ".0f", 1024, goal="≤ 256 (Klio)")
row("second backup (contiguous 2%), s", "second_s", tools=(K, P))
row("second backup (contiguous 2%), changed MiB (Klio: new chunks; pgBackRest: files copied)", "second_new", ".1f", MiB, tools=(K, P))
def row_frac(label, metric, goal=""):
    k, p = med(K, f"second_{metric}"), med(P, f"second_{metric}")
    fk, fp = frac(K, f"second_{metric}", f"first_{metric}"), frac(P, f"second_{metric}", f"first_{metric}")
    cell = lambda x, f: "—" if x is None else f"{x / MiB:.1f} ({100 * f:.1f}% of the first)"
    print(f"| {label} | {cell(k, fk)} | {cell(p, fp)} | — | {ratio(k, p)} | {goal} |")
row_frac("second backup (contiguous 2%), sent MiB", "sent")
row_frac("second backup (contiguous 2%), stored MiB", "stored", "≤ 10% of the first and < pgBackRest's")
def row_restore(label, kind, goal):
    cells = {}
    for t in (K, P):
        s, rs = med(t, f"{kind}_s"), med(t, f"{kind}_restore_s")
        n = med(t, f"{kind}_files")
        cells[t] = "—" if s is None else f"{s:.1f} (restore {rs:.1f} + recovery {s - rs:.1f}; {n:.0f} WAL files)"
    print(f"| {label} | {cells[K]} | {cells[P]} | — | {ratio(med(K, f'{kind}_s'), med(P, f'{kind}_s'))} | {goal} |")
row_restore("restore to the end of the backup, s", "end", "≤ 0.8")
row_restore(f"restore to a {target_kind} {fmt(wal and wal / MiB, '.0f')} MiB of WAL later, s", "pitr", "≤ 0.8")
row("restore, peak RSS MiB", "end_restore_rss", ".0f", 1024, goal="≤ 256 (Klio)", tools=(K, P))
def row_calls(label, metric, goal):
    cells, meds = {}, {}
    for t in (K, P):
        v = calls.get((t, metric), [])
        meds[t] = statistics.median(v) if v else None
        cells[t] = "—" if not v else f"{meds[t]:.1f} / {pct(v, 0.9):.1f} ({len(v)} files)"
    print(f"| {label} | {cells[K]} | {cells[P]} | — | {ratio(meds[K], meds[P])} | {goal} |")
row_calls("restore_command per WAL file in the replay to the target, ms median / p90", "pitr_call_ms", "≤ 30 (Klio)")
row_calls("the same alone (klio get-wal / pgbackrest archive-get, no prefetch), ms median / p90", "get_call_ms", "")
if (K, "server_rss_backup") in by:
    print(f"| Klio server, peak RSS during a backup, MiB | {mx(K, 'server_rss_backup') / 1024:.0f} (at the backup's start: {mx(K, 'server_rss_start') / 1024:.0f}) | | | | ≤ 256 |")
if ("all", "files_count") in by:
    n = by[("all", "files_count")]["files"]
    def one(t, m):
        v = by.get((t, m), {}).get("files")
        return v
    for label, m, sc, spec in (("full backup, s", "first_s", 1, ".1f"), ("full backup, peak RSS MiB", "first_rss", 1024, ".0f"),
                               ("restore (files only), s", "end_restore_s", 1, ".1f"), ("restore, peak RSS MiB", "end_restore_rss", 1024, ".0f"),
                               ("server peak RSS during the backup, MiB", "server_rss_backup", 1024, ".0f")):
        k, p = one(K, m), one(P, m)
        if k is None and p is None:
            continue
        print(f"| {n:.0f} files: {label} | {fmt(k and k / sc, spec)} | {fmt(p and p / sc, spec)} | — | {ratio(k, p) if m != 'server_rss_backup' else ''} | {'≤ 256 (Klio)' if 'RSS' in label else ''} |")
c = by.get((K, "catchup_server_rss"), {}).get("catchup")
if c is not None:
    print(f"| Klio server, peak RSS during a WAL catch-up while a backup runs, MiB | {c / 1024:.0f} (backup {by[(K, 'catchup_backup_s')]['catchup']:.1f} s, its peak RSS {by[(K, 'catchup_backup_rss')]['catchup'] / 1024:.0f} MiB) | | | | ≤ 256 |")
print()
print("Rounds, seconds:")
for m, label in (("first_s", "full backup"), ("second_s", "second backup"), ("end_s", "restore to the end"),
                 ("pitr_s", "restore to the target")):
    line = []
    for r in rounds:
        line.append(f"round {r} " + " ".join(f"{t} {by[(t, m)][r]:.1f}" for t in (K, P, B) if r in by.get((t, m), {})))
    print(f"  {label}: " + "; ".join(line))
if not with_klio:
    print("Klio was skipped: its column is empty.")
PY
