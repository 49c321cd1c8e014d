# Sourced by the WAL benchmarks. Needs $work and $port.
# start_bench_pg: a PostgreSQL 15 cluster in $work/pg, tuned to hold a large WAL backlog.
# make_backlog GB SLOT...: creates the slots at the current position, then writes GB of WAL;
#   sets $start_lsn, $end and $backlog (bytes), and warms the page cache with the new WAL.
# psql ARGS...: psql to that cluster as postgres, unaligned and quiet.
bin=/usr/lib/postgresql/15/bin
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql() { "$bin/psql" -X -q -A -t -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
stop_bench_pg() { as_pg "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; }

start_bench_pg() {
  stop_bench_pg
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
}

make_backlog() {
  local gb=$1
  shift
  for s in "$@"; do
    psql -c "SELECT pg_create_physical_replication_slot('$s', true)" >/dev/null
  done
  start_lsn=$(psql -c "SELECT pg_current_wal_lsn()")
  echo "generating ${gb} GB of WAL from $start_lsn ..." >&2
  psql -c "DROP TABLE IF EXISTS src, t" >/dev/null # a second call writes the same again
  psql -c "CREATE UNLOGGED TABLE src AS SELECT g, repeat(md5(g::text), 30) AS pad FROM generate_series(1, 200000) g" >/dev/null
  psql -c "CREATE TABLE t (g int, pad text)" >/dev/null
  while :; do
    psql -c "INSERT INTO t SELECT * FROM src" >/dev/null
    local bytes
    bytes=$(psql -c "SELECT pg_current_wal_lsn() - '$start_lsn'::pg_lsn")
    ((bytes >= gb * 1024 * 1024 * 1024)) && break
  done
  end=$(psql -c "SELECT pg_current_wal_lsn()")
  for i in 1 2 3; do psql -c "SELECT pg_logical_emit_message(false, 'bench', 'past endpos'), pg_switch_wal()" >/dev/null; done
  backlog=$(psql -c "SELECT '$end'::pg_lsn - '$start_lsn'::pg_lsn")
  echo "backlog: $backlog bytes, end $end" >&2
  # warm the page cache so that neither tool pays alone for reading the new WAL from disk
  cat "$work"/pg/pg_wal/0* >/dev/null
}

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
