#!/usr/bin/env bash
# The Tier 1 write path with the relay to Tier 2 running against without it (issue 16, "Figures").
# One PostgreSQL 15 database (pgbench, scale S), a Klio server (mTLS, encryption) and send-wal, as in
# bench/backup.sh; Tier 2 is S3Proxy 4.1.0 on its on-disk store, on loopback, in a JVM of its own.
# Each round, once without Tier 2 and once with it (alternating which goes first, a fresh Tier 1
# each time): send-wal stopped, WAL-GB of WAL written, send-wal started and timed until the server
# holds it all (the catch-up), then a full `klio backup` timed while the relay copies the WAL and
# the backup's objects. Medians and ratios (with / without, as throughput; goal >= 0.9). With Tier
# 2, what the relay had copied and what still waited when the backup ended is printed too.
#   bench/relay-tier1.sh [rounds=3] [scale=50] [wal-GB=1] [work-dir=/work/klio-bench-relay-tier1]
# Environment: LOCK=FILE holds `flock FILE` while measuring. Runs as root (PostgreSQL and the Klio
# client commands run as the postgres OS user).
set -Eeuo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
rounds=${1:-3}
scale=${2:-50}
wal_gb=${3:-1}
work=${4:-/work/klio-bench-relay-tier1}
port=55460 gport=55462 hport=55463 s3port=55464
here=$PWD
[[ $(id -u) == 0 ]] || { echo "bench/relay-tier1.sh runs as root" >&2; exit 2; }
. bench/lib/walbacklog.sh # bin, as_pg, psql, start_bench_pg, stop_bench_pg, make_backlog, median
. bench/lib/classpath.sh  # test_classpath
cp=$(test_classpath klio-server) # S3ProxyFsMain
start_bench_pg # (empties $work)
mkdir -p "$work/tmp"
. bench/lib/common.sh # now, die, lock, unlock, timed, lsn_bytes
klio=("$here/klio")
kdir=$work/klio
server_pid= send_pid= s3_pid=
. bench/lib/klio-server.sh
cleanup() {
  klio_stop
  [[ -z $s3_pid ]] || kill "$s3_pid" 2>/dev/null || true
  stop_bench_pg
}
trap cleanup EXIT

as_pg "$bin/pgbench" -i -q -s "$scale" -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1
klio_setup
mkdir -p "$work/s3/bench"
printf 'aws_access_key_id = klio-relay-access\naws_secret_access_key = klio-relay-secret-that-is-long-enough\n' \
  >"$work/s3-credentials"
# S3Proxy stops when its standard input closes: a fifo whose writing end this script holds (fd 7);
# it gets none of the lock's descriptors
mkfifo "$work/s3.stdin"
java -Xmx1g -cp "$cp" io.klio.server.relay.S3ProxyFsMain "$work/s3" "$s3port" <"$work/s3.stdin" >"$work/s3.log" 2>&1 3>&- 9>&- &
s3_pid=$!
exec 7>"$work/s3.stdin"
until grep -q '^PORT ' "$work/s3.log" 2>/dev/null; do kill -0 "$s3_pid" || die "S3Proxy exited (see $work/s3.log)"; sleep 0.2; done
chown -R postgres: "$kdir"

metric() { curl -sf "http://127.0.0.1:$hport/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
declare -A catchup backup
lock
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then modes="none tier2"; else modes="tier2 none"; fi
  for mode in $modes; do
    if [[ $mode == tier2 ]]; then
      cp "$kdir/server.yaml" "$kdir/server-tier2.yaml"
      cat >>"$kdir/server-tier2.yaml" <<YAML
tier2:
  uri: "s3://bench/r$r?region=us-east-1&pathStyle=true&endpoint=http://127.0.0.1:$s3port&credentialsFile=$work/s3-credentials"
YAML
      export KLIO_SERVER_YAML=$kdir/server-tier2.yaml
    else
      export KLIO_SERVER_YAML=$kdir/server.yaml
    fi
    klio_start
    klio_stop_send_wal
    make_backlog "$wal_gb"
    t0=$(now)
    "${klio[@]}" send-wal --config "$kdir/client.yaml" >>"$kdir/send-wal.log" 2>&1 9>&- &
    send_pid=$!
    klio_wait_wal "$end"
    t1=$(now)
    c=$(awk -v a="$t0" -v b="$t1" -v n="$backlog" 'BEGIN {printf "%.1f", n / 1048576 / (b - a)}')
    timed "${klio[@]}" backup --config "$kdir/client.yaml" --output json >"$kdir/backup.json"
    data=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["data_bytes"])' "$kdir/backup.json")
    b=$(awk -v s="$secs" -v n="$data" 'BEGIN {printf "%.1f", n / 1048576 / s}')
    catchup[$mode]+="$c "
    backup[$mode]+="$b "
    extra=
    [[ $mode == none ]] || extra=" | relay: $(metric klio_relay_copied_objects_total) objects / $(metric klio_relay_copied_bytes_total) bytes copied, $(metric klio_relay_objects_waiting) waiting"
    echo "round $((r + 1)) $mode: catch-up of $((backlog >> 20)) MiB at $c MiB/s, backup of $((data >> 20)) MiB in ${secs}s = $b MiB/s$extra"
    klio_stop
  done
done
unlock
cn=$(median "${catchup[none]}") ct=$(median "${catchup[tier2]}")
bn=$(median "${backup[none]}") bt=$(median "${backup[tier2]}")
echo "medians over $rounds rounds: WAL catch-up $cn MiB/s without Tier 2, $ct with (ratio $(awk -v a="$ct" -v b="$cn" 'BEGIN {printf "%.2f", a / b}')); full backup $bn MiB/s without, $bt with (ratio $(awk -v a="$bt" -v b="$bn" 'BEGIN {printf "%.2f", a / b}'))"
