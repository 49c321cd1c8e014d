# Sourced by the backup benchmarks. make_before_after WORK SCALE PATTERN PORT builds a stopped
# PostgreSQL 15 data directory (pgbench scale SCALE plus a 200,000-row table of random text) as
# WORK/before, and WORK/after: the same after updating 2% of pgbench_accounts' rows, a contiguous
# range (PATTERN=range) or every 50th row (scattered, which changes every page). WORK/pg is left
# holding "after". Defines as_pg and stop_pg.
bin=/usr/lib/postgresql/15/bin
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() { as_pg "$bin/pg_ctl" -D "$1/pg" -m fast -w stop >/dev/null 2>&1 || true; }

make_before_after() {
  local work=$1 scale=$2 pattern=$3 port=$4
  rm -rf "$work" && mkdir -p "$work/sock"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$work"
  as_pg "$bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
  printf "port = $port\nlisten_addresses = ''\nunix_socket_directories = '$work/sock'\n" >>"$work/pg/postgresql.conf"
  as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
  local psql=("$bin/psql" -X -q -h "$work/sock" -p "$port" -U postgres -d postgres)
  echo "building the data directory (pgbench scale $scale) ..." >&2
  "$bin/pgbench" -q -i -s "$scale" -h "$work/sock" -p "$port" -U postgres postgres >/dev/null 2>&1
  "${psql[@]}" -c "CREATE TABLE notes AS SELECT g, md5(random()::text) || repeat(md5(random()::text), 8) AS body FROM generate_series(1, 200000) g" >/dev/null
  "${psql[@]}" -c "CHECKPOINT" >/dev/null
  stop_pg "$work"
  cp -a "$work/pg" "$work/before"
  as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
  if [[ $pattern == scattered ]]; then
    "${psql[@]}" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 50 = 0" >/dev/null
  else
    "${psql[@]}" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid BETWEEN 500001 AND 500000 + $scale * 2000" >/dev/null
  fi
  "${psql[@]}" -c "CHECKPOINT" >/dev/null
  stop_pg "$work"
  cp -a "$work/pg" "$work/after"
}
