#!/usr/bin/env bash
# The WAL path against pg_receivewal, side by side in one run, alternating which tool goes first:
#  1. catch-up: send-wal -> Klio server (mTLS, zstd, encryption on) draining a >= 2 GB backlog held
#     by replication slots, against pg_receivewal draining the same backlog; the server's peak RSS;
#  2. pgbench TPS with Klio as the synchronous standby (synchronous_standby_names = 'klio', send-wal
#     synchronous: true, over the server's WAL socket) against pg_receivewal --synchronous as the
#     synchronous standby.
# Klio runs through the ./klio launcher, with the JVM settings users get. The server is a
# long-running process: before timing, each new server receives a warm-up stream of another
# cluster (its own slot, "warmup" certificate) for 8 seconds, then timing waits until the server
# is idle: its JIT-compiled receive path is what is measured, not its compilation. In the
# synchronous rounds each tool (Klio and pg_receivewal alike) first carries 20 s of pgbench that
# is not counted: a synchronous standby runs for the life of the database, its steady state
# counts (Klio's JIT compilers were measured busy until ~16 s after send-wal started; with 5 s
# they took ~0.8 CPU s of the measured 15 s). Each tool's turn starts with a CHECKPOINT and no
# timed checkpoint falls inside a turn (checkpoint_timeout 1h): the full-page images that follow
# a checkpoint cost both tools the same instead of whichever a timed checkpoint happens to hit.
#   bench/wal-path.sh [rounds=4] [backlog-GB=2] [pgbench-seconds=15] [work-dir=/work/klio-bench-walpath]
# Environment: SKIP_SYNC=1 runs the catch-up only, SKIP_CATCHUP=1 the synchronous rounds only;
# CLIENTS=N sets pgbench's clients in the synchronous rounds (default 4); INSECURE=1 runs Klio
# without TLS (tls.insecure on both sides), to measure what TLS costs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-4} # even: each tool goes first equally often
gb=${2:-2}
secs=${3:-15}
work=${4:-/work/klio-bench-walpath}
port=55440
gport=55441
hport=55442
sport=55443 # the server's WAL socket (synchronous clients stream there)
clients=${CLIENTS:-4}
jobs=$((clients % 2 == 0 ? 2 : 1)) # pgbench: clients must be a multiple of the threads
. bench/lib/walbacklog.sh
[[ -f klio-server/target/lib/klio-walstream-0.1.0-SNAPSHOT.jar ]] || mvn -q -B -ntp -DskipTests package
export KLIO_JAVA_OPTS="${KLIO_JAVA_OPTS:-}" # the launcher's own JVM settings, as users get them
klio=(./klio)

cleanup() {
  pkill -f "io.klio.server.cli.Main (server|send-wal)" 2>/dev/null || true
  pkill -f "pg_receivewal.*$port" 2>/dev/null || true
  stop_bench_pg
}
trap cleanup EXIT
start_bench_pg
slots=()
for ((r = 0; r < rounds; r++)); do slots+=("klio_$r" "ref_$r" "klios_$r" "refs_$r" "warm_$r" "warms_$r"); done

# TLS material: a CA, the server's certificate, the client's (CN = the cluster)
tls=$work/tls
mkdir -p "$tls"
cert() { # name cn [san]
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/$1.key.pem" \
    -subj "/CN=$2" -out "$tls/$1.csr" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$tls/$1.key.pem" -out "$tls/$1.key"
  printf "%s" "${3:+subjectAltName=$3}" >"$tls/$1.ext"
  openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 2 -out "$tls/$1.crt" ${3:+-extfile "$tls/$1.ext"} 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/ca.key" \
  -subj "/CN=bench CA" -days 2 -out "$tls/ca.crt" 2>/dev/null
cert server localhost "DNS:localhost,IP:127.0.0.1"
cert client bench
cert warmup warmup
"${klio[@]}" keys generate-kek --out "$work/kek" >/dev/null

tls_yaml() { # the fields of a tls: section, unless INSECURE
  if [[ -n ${INSECURE:-} ]]; then echo "  insecure: true"; else printf "  %s\n" "$@"; fi
}
server_yaml() { # tier1
  cat <<YAML
listen: 127.0.0.1:$gport
tier1:
  path: $1
tls:
$(tls_yaml "certificate: $tls/server.crt" "key: $tls/server.key" "clientCa: $tls/ca.crt")
encryption:
  kek: file:$work/kek
wal:
  socketListen: 127.0.0.1:$sport
http:
  listen: 127.0.0.1:$hport
log:
  level: warn
YAML
}
client_yaml() { # slot synchronous [cluster]
  local cluster=${3:-bench}
  local name; name=$([[ $cluster == bench ]] && echo client || echo "$cluster")
  cat <<YAML
cluster: $cluster
server: 127.0.0.1:$gport
tls:
$(tls_yaml "certificate: $tls/$name.crt" "key: $tls/$name.key" "ca: $tls/ca.crt" "serverName: localhost")
postgres:
  connection: host=127.0.0.1 port=$port user=postgres
  slot: $1
  synchronous: $2
log:
  level: warn
YAML
}
cpu_of() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; } # user+system CPU seconds
server_pid=
start_server() { # tier1
  rm -rf "$1"
  "${klio[@]}" keys generate --repository "file:$1" --kek "file:$work/kek" >/dev/null
  server_yaml "$1" >"$work/server.yaml"
  "${klio[@]}" server start --config "$work/server.yaml" >>"$work/server.log" 2>&1 &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$hport/readyz" >/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { echo "the Klio server exited: see $work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  # warm-up stream of another cluster: 8 s of its own backlog (slot $2)
  client_yaml "$2" false warmup >"$work/warmup.yaml"
  "${klio[@]}" send-wal --config "$work/warmup.yaml" >>"$work/send-wal.log" 2>&1 &
  local w=$!
  sleep 8
  kill "$w"; wait "$w" || true
  # then until the server is idle (its JIT has compiled what the stream made hot): < 5% of a core
  local c0 c1
  for _ in $(seq 30); do
    c0=$(cpu_of "$server_pid"); sleep 1; c1=$(cpu_of "$server_pid")
    awk -v a="$c0" -v b="$c1" 'BEGIN {exit !(b - a < 0.05)}' && break
  done
}
stop_server() { # prints the server's peak RSS in KiB
  awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status"
  kill "$server_pid"
  wait "$server_pid" || true
}
durable() { curl -sf "http://127.0.0.1:$hport/metrics" | awk '/^klio_wal_durable_lsn_bytes{cluster="bench"}/ {print $2}'; }
end_bytes() { psql -c "SELECT '$end'::pg_lsn - '0/0'::pg_lsn"; }

run_klio() { # slot warm-up-slot -> seconds and server peak RSS KiB
  start_server "$work/tier1-$1" "$2" # a fresh Tier 1 each time: the archive must start empty
  client_yaml "$1" false >"$work/client.yaml"
  local target t0 pid
  target=$(end_bytes)
  local s0; s0=$(cpu_of "$server_pid") # after its encryption warm-up
  t0=$(date +%s.%N)
  "${klio[@]}" send-wal --config "$work/client.yaml" >>"$work/send-wal.log" 2>&1 &
  pid=$!
  # poll 5 times a second: polling costs CPU that pg_receivewal's run does not pay
  until d=$(durable) && [[ -n $d ]] && ((d >= target)); do sleep 0.2; done
  local t1; t1=$(date +%s.%N)
  echo "klio CPU seconds: send-wal $(cpu_of "$pid"), server $(awk "BEGIN{print $(cpu_of "$server_pid") - $s0}")" >&2
  kill "$pid"; wait "$pid" || true
  local rss; rss=$(stop_server)
  echo "$(awk "BEGIN{print $t1 - $t0}") $rss"
}
run_ref() {
  rm -rf "$work/ref" && mkdir -p "$work/ref"
  local t0; t0=$(date +%s.%N)
  /usr/bin/time -f "pg_receivewal CPU seconds: %U user + %S system" \
    "$bin/pg_receivewal" -d "host=127.0.0.1 port=$port user=postgres" -S "$1" -D "$work/ref" -E "$end" -n
  awk "BEGIN{print $(date +%s.%N) - $t0}"
}

catchup_rounds=$rounds
[[ -n ${SKIP_CATCHUP:-} ]] && gb=0 catchup_rounds=0
make_backlog "$gb" "${slots[@]}"
declare -A times
rss_max=0
for ((r = 0; r < catchup_rounds; r++)); do
  if ((r % 2 == 0)); then
    kr=$(run_klio "klio_$r" "warm_$r"); rt=$(run_ref "ref_$r")
  else
    rt=$(run_ref "ref_$r"); kr=$(run_klio "klio_$r" "warm_$r")
  fi
  kt=${kr% *}; rss=${kr#* }
  ((rss > rss_max)) && rss_max=$rss
  times[k]+="$kt "; times[r]+="$rt "
  echo "catch-up round $((r + 1)): klio ${kt}s (server peak RSS ${rss} KiB)  pg_receivewal ${rt}s" >&2
done

k=$(median "${times[k]:-}"); p=$(median "${times[r]:-}")
report_catchup() {
  ((catchup_rounds > 0)) || return 0
  echo "--- $rounds rounds, backlog $((backlog / 1048576)) MiB, $(nproc) cores"
  awk -v k="$k" -v p="$p" -v b="$backlog" 'BEGIN {
    printf "catch-up: klio %.1f MB/s (median %.2fs)  pg_receivewal %.1f MB/s (median %.2fs)  ratio %.2f\n",
      b / 1e6 / k, k, b / 1e6 / p, p, p / k }'
  echo "klio server peak RSS: $((rss_max / 1024)) MiB"
}
if [[ -n ${SKIP_SYNC:-} ]]; then # catch-up only: SKIP_SYNC=1 bench/wal-path.sh 5 2
  report_catchup
  exit 0
fi

# synchronous standby: pgbench TPS
psql -c "DROP TABLE t, src" >/dev/null
"$bin/pgbench" -q -i -s 10 -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1
set_conf() { psql -c "ALTER SYSTEM SET $1 = '$2'" >/dev/null; psql -c "SELECT pg_reload_conf()" >/dev/null; }
set_conf checkpoint_timeout 1h
sync_to() { set_conf synchronous_standby_names "$1"; }
await_sync() { until [[ $(psql -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$1' AND sync_state = 'sync' AND state = 'streaming'") == 1 ]]; do sleep 0.2; done; }
pgbench_for() { "$bin/pgbench" -T "$1" -c "$clients" -j "$jobs" -h 127.0.0.1 -p "$port" -U postgres postgres; }
tps() { # a checkpoint, 20 s not counted, then $secs measured
  psql -c "CHECKPOINT" >/dev/null
  pgbench_for 20 >/dev/null 2>&1
  pgbench_for "$secs" 2>/dev/null | awk '/^tps/ {print $3}'
}
tps_klio() { # slot warm-up-slot
  start_server "$work/tier1-$1" "$2"
  client_yaml "$1" true >"$work/client.yaml"
  sync_to klio
  "${klio[@]}" send-wal --config "$work/client.yaml" >>"$work/send-wal.log" 2>&1 &
  local pid=$!
  await_sync klio
  local t; t=$(tps)
  kill "$pid"; wait "$pid" || true
  sync_to ''
  stop_server >/dev/null
  echo "$t"
}
tps_ref() {
  rm -rf "$work/ref" && mkdir -p "$work/ref"
  sync_to pg_receivewal
  "$bin/pg_receivewal" -d "host=127.0.0.1 port=$port user=postgres application_name=pg_receivewal" \
    -S "$1" -D "$work/ref" --synchronous -n >>"$work/pg_receivewal.log" 2>&1 &
  local pid=$!
  await_sync pg_receivewal
  local t; t=$(tps)
  kill "$pid"; wait "$pid" || true
  sync_to ''
  echo "$t"
}
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then
    kt=$(tps_klio "klios_$r" "warms_$r"); rt=$(tps_ref "refs_$r")
  else
    rt=$(tps_ref "refs_$r"); kt=$(tps_klio "klios_$r" "warms_$r")
  fi
  times[kt]+="$kt "; times[rt]+="$rt "
  times[pr]+="$(awk -v k="$kt" -v p="$rt" 'BEGIN {printf "%.3f", k / p}') "
  echo "sync round $((r + 1)): klio $kt tps  pg_receivewal $rt tps" >&2
done

kt=$(median "${times[kt]}"); pt=$(median "${times[rt]}"); pr=$(median "${times[pr]}")
report_catchup
awk -v k="$kt" -v p="$pt" -v r="$pr" 'BEGIN {
  printf "sync pgbench, '"$clients"' clients: klio %.0f tps  pg_receivewal %.0f tps  ratio %.2f (median of the rounds'"'"' ratios %.2f)\n", k, p, k / p, r }'
echo "sync rounds' ratios (klio/pg_receivewal): ${times[pr]}"
