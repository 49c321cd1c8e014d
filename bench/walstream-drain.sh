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
bin=/usr/lib/postgresql/15/bin
port=55432
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ -x /usr/bin/time ]] || { apt-get install -y -q time >/dev/null 2>&1 || true; }

[[ -f klio-server/target/lib/klio-walstream-0.1.0-SNAPSHOT.jar ]] || mvn -q -B -ntp -DskipTests package

cleanup() { as_pg "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
rm -rf "$work" && mkdir -p "$work/sock"
[[ $(id -u) == 0 ]] && chown -R postgres: "$work"
as_pg "$bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
cat >>"$work/pg/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/sock'
wal_level = replica
max_wal_senders = 20
max_replication_slots = 40
max_wal_size = 64GB
shared_buffers = 256MB
CONF
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
psql() { "$bin/psql" -X -q -A -t -h 127.0.0.1 -p $port -U postgres -d postgres "$@"; }

modes=(default sync)
for ((r = 0; r < rounds; r++)); do
  for m in "${modes[@]}"; do
    psql -c "SELECT pg_create_physical_replication_slot('klio_${m}_$r', true)" >/dev/null
    psql -c "SELECT pg_create_physical_replication_slot('ref_${m}_$r', true)" >/dev/null
  done
done
start_lsn=$(psql -c "SELECT pg_current_wal_lsn()")
echo "generating ${gb} GB of WAL from $start_lsn ..."
psql -c "CREATE UNLOGGED TABLE src AS SELECT g, repeat(md5(g::text), 30) AS pad FROM generate_series(1, 200000) g" >/dev/null
psql -c "CREATE TABLE t (g int, pad text)" >/dev/null
while :; do
  psql -c "INSERT INTO t SELECT * FROM src" >/dev/null
  bytes=$(psql -c "SELECT pg_current_wal_lsn() - '$start_lsn'::pg_lsn")
  ((bytes >= gb * 1024 * 1024 * 1024)) && break
done
end=$(psql -c "SELECT pg_current_wal_lsn()")
for i in 1 2 3; do psql -c "SELECT pg_logical_emit_message(false, 'bench', 'past endpos'), pg_switch_wal()" >/dev/null; done
backlog=$(psql -c "SELECT '$end'::pg_lsn - '$start_lsn'::pg_lsn")
echo "backlog: $backlog bytes, end $end"

# warm the page cache so that neither tool pays alone for reading the new WAL from disk
cat "$work"/pg/pg_wal/0* >/dev/null

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

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "--- $rounds rounds, backlog $((backlog / 1048576)) MiB, $(nproc) cores"
for m in "${modes[@]}"; do
  k=$(median "${times[k_$m]}"); p=$(median "${times[r_$m]}")
  awk -v m="$m" -v k="$k" -v p="$p" -v b="$backlog" 'BEGIN {
    printf "%-8s klio %6.1f MB/s (median %.2fs)  pg_receivewal %6.1f MB/s (median %.2fs)  ratio %.2f\n",
      m, b / 1e6 / k, k, b / 1e6 / p, p, p / k }'
done
echo "klio peak RSS: $((rss_max / 1024)) MiB (heap capped at -Xmx256m)"
