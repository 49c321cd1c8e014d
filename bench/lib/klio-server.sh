# Sourced by the benchmarks that run a Klio server and send-wal (bench/backup.sh, bench/relay-tier1.sh).
# Needs: klio (the launcher, an array), kdir, work, port (the database), gport, hport (the server's
# gRPC and HTTP ports), server_pid and send_pid (empty), psql, lsn_bytes, die. KLIO_SERVER_YAML_EXTRA
# is appended to server.yaml (a tier2: section, say); KLIO_SERVER_YAML, when set, is the file klio_start
# starts the server with.
klio_setup() { # once: TLS material (a CA, the server's certificate, the client's: CN = the cluster), the KEK
  local tls=$kdir/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/ca.key" \
    -subj "/CN=bench CA" -days 2 -out "$tls/ca.crt" 2>/dev/null
  local name cn san
  for name in server client; do
    cn=$([[ $name == server ]] && echo localhost || echo bench)
    san=$([[ $name == server ]] && echo "subjectAltName=DNS:localhost,IP:127.0.0.1" || true)
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/$name.key.pem" \
      -subj "/CN=$cn" -out "$tls/$name.csr" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$tls/$name.key.pem" -out "$tls/$name.key"
    printf "%s" "$san" >"$tls/$name.ext"
    openssl x509 -req -in "$tls/$name.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
      -days 2 -out "$tls/$name.crt" ${san:+-extfile "$tls/$name.ext"} 2>/dev/null
  done
  "${klio[@]}" keys generate-kek --out "$kdir/kek" >/dev/null
  cat >"$kdir/server.yaml" <<YAML
listen: 127.0.0.1:$gport
tier1:
  path: $kdir/tier1
tls:
  certificate: $tls/server.crt
  key: $tls/server.key
  clientCa: $tls/ca.crt
encryption:
  kek: file:$kdir/kek
http:
  listen: 127.0.0.1:$hport
log:
  level: warn
${KLIO_SERVER_YAML_EXTRA:-}
YAML
  klio_client_yaml spool >"$kdir/client.yaml"
  klio_client_yaml >"$kdir/client-nospool.yaml" # for get-wal alone: no prefetch
  chown -R postgres: "$kdir"                    # klio backup, restore and the restore_command run as postgres
}
klio_client_yaml() { # [spool]
  cat <<YAML
cluster: bench
server: 127.0.0.1:$gport
tls:
  certificate: $kdir/tls/client.crt
  key: $kdir/tls/client.key
  ca: $kdir/tls/ca.crt
  serverName: localhost
postgres:
  connection: host=127.0.0.1 port=$port user=postgres
  slot: klio
backup:
  pgdata: $work/pg
  jobs: 2
log:
  level: warn
YAML
  [[ -z ${1:-} ]] || printf "getWal:\n  spool: %s\n" "$kdir/spool"
}
klio_start() { # a fresh Tier 1 and key ring, the server, send-wal; returns once send-wal has caught up
  rm -rf "$kdir/tier1" "$kdir/spool"
  mkdir -p "$kdir/spool" && chown postgres: "$kdir/spool"
  "${klio[@]}" keys generate --repository "file:$kdir/tier1" --kek "file:$kdir/kek" >/dev/null
  "${klio[@]}" server start --config "${KLIO_SERVER_YAML:-$kdir/server.yaml}" >>"$kdir/server.log" 2>&1 9>&- &
  server_pid=$!
  echo "$server_pid" >"$kdir/server.pid"
  until curl -sf "http://127.0.0.1:$hport/readyz" >/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || die "the Klio server exited (see $kdir/server.log)"
    sleep 0.1
  done
  "${klio[@]}" send-wal --config "$kdir/client.yaml" >>"$kdir/send-wal.log" 2>&1 9>&- &
  send_pid=$!
  echo "$send_pid" >"$kdir/send-wal.pid"
  klio_wait_wal "$(psql -c "SELECT pg_current_wal_lsn()")"
}
klio_stop_send_wal() { [[ -z $send_pid ]] || { kill "$send_pid" 2>/dev/null || true; wait "$send_pid" 2>/dev/null || true; send_pid=; }; }
klio_stop() {
  klio_stop_send_wal
  [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=; }
}
klio_durable() { # (mawk's printf %d stops at 2^31: the value goes through as text, then bash's printf)
  local v
  v=$(curl -sf "http://127.0.0.1:$hport/metrics" | awk '/^klio_wal_durable_lsn_bytes\{cluster="bench"\}/ {print $2}')
  [[ -n $v ]] && printf '%.0f' "$v"
}
klio_wait_wal() { # LSN: until the server holds the WAL before LSN durably
  local want d t0=$SECONDS
  want=$(lsn_bytes "$1")
  until d=$(klio_durable) && [[ -n $d ]] && ((d >= want)); do
    ((SECONDS - t0 < 600)) || die "the Klio server did not receive WAL up to $1 in 600 s (durable: ${d:-none})"
    sleep 0.2
  done
}
server_hwm() { awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status"; } # KiB
server_hwm_reset() { echo 5 >"/proc/$server_pid/clear_refs"; }         # the peak restarts from the current RSS
