#!/usr/bin/env bash
# Chooses FastCDC sizes on real PostgreSQL files: a stopped data directory (pgbench scale S plus a
# table of random text), then the same after updating 2% of pgbench_accounts' rows, either a
# contiguous range of them (pattern=range) or every 50th row (pattern=scattered, which touches every
# page). Prints, per chunker, what the second backup adds, next to a file-level incremental
# (pgBackRest-style). pg_wal and the other directories base backups skip are left out.
#   bench/chunk-study.sh [scale=20] [pattern=range|scattered] [work-dir=/work/klio-chunk-study]
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-20}
pattern=${2:-range}
work=${3:-/work/klio-chunk-study}
bin=/usr/lib/postgresql/15/bin
port=55433
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { as_pg "$bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop EXIT
rm -rf "$work" && mkdir -p "$work/sock"
[[ $(id -u) == 0 ]] && chown -R postgres: "$work"
as_pg "$bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
printf "port = $port\nlisten_addresses = ''\nunix_socket_directories = '$work/sock'\n" >>"$work/pg/postgresql.conf"
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
psql() { "$bin/psql" -X -q -h "$work/sock" -p $port -U postgres -d postgres "$@"; }
"$bin/pgbench" -q -i -s "$scale" -h "$work/sock" -p $port -U postgres postgres >/dev/null 2>&1
psql -c "CREATE TABLE notes AS SELECT g, md5(random()::text) || repeat(md5(random()::text), 8) AS body FROM generate_series(1, 200000) g" >/dev/null
psql -c "CHECKPOINT" >/dev/null
stop
cp -a "$work/pg" "$work/before"
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
if [[ $pattern == scattered ]]; then
  psql -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 50 = 0" >/dev/null
else
  psql -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid BETWEEN 500001 AND 500000 + $scale * 2000" >/dev/null
fi
psql -c "CHECKPOINT" >/dev/null
stop
cp -a "$work/pg" "$work/after"
mvn -q -B -ntp -pl bom,klio-dedup -am install -DskipTests -Dspotless.check.skip=true
mvn -q -B -ntp -pl klio-dedup dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="klio-dedup/target/test-classes:klio-dedup/target/classes:$(cat klio-dedup/target/bench.classpath)"
java -Xmx4g -cp "$cp" io.klio.dedup.bench.ChunkSizeStudy "$work/before" "$work/after" \
  "fixed(size=8192)" \
  "fastcdc(min=4096,avg=16384,max=65536)" \
  "fastcdc(min=16384,avg=65536,max=262144)" \
  "fastcdc(min=65536,avg=262144,max=1048576)" \
  "fastcdc(min=262144,avg=1048576,max=4194304)"
rm -rf "$work"
