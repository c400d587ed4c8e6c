#!/usr/bin/env bash
# mratls serve and nginx side by side, as external processes, in front of the same HTTPS origin.
#
#   bench/serve_vs_nginx.sh [--seconds S] [--reps R] [--connections C] [--idle N] [--json FILE]
#                           [--keep DIR] [--mratls PATH] [--only MODE,...]
#
# The origin is nginx (TLS 1.2, no session cache, no tickets) with the lab's certificates
# (`mratls lab --out`): an RSA server and an ECDSA server for cucm1.field-mix.steven.lab, signed by the lab
# root. Both proxies run one worker, verify the origin's chain and name against the lab root
# only, and are driven by wrk -t1 -cC for S seconds per run, R interleaved repetitions, medians:
#   pooled-200B     keep-alive to the origin (nginx `keepalive`, mratls `origin.keep_alive`)
#   pooled-64KiB    the same, a 64 KiB body
#   handshake-rsa   a new TLS connection, a full handshake and a verification per request,
#   handshake-ecdsa resumption off on both sides
#   pooled-200B threads:2  mratls with two event threads (nginx stays at one worker)
# mratls writes its default INFO lines (five per request) to a file; nginx has access_log off.
# CPU is utime+stime of the whole process (every thread) from /proc/PID/stat over the run;
# RSS is VmHWM; idle is the RSS growth for N connections that send nothing, per connection.
# It asserts nothing. nginx, wrk and python3 are installed here if missing (not by bootstrap).
set -euo pipefail

seconds=10 reps=3 conns=50 idle=10000 json="" keep="" mratls="" only=""
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --mratls) mratls="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "serve_vs_nginx: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$seconds" "$reps" "$conns" "$idle"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "serve_vs_nginx: '$n' is not a whole number" >&2; exit 2; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
mratls="${mratls:-$root/build/release/cli/mratls}"
[[ -x "$mratls" ]] || { echo "serve_vs_nginx: $mratls not built (cmake --build build/release)" >&2; exit 1; }

need=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v python3 >/dev/null || need+=(python3)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "serve_vs_nginx: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

work="${keep:-$(mktemp -d /tmp/mratls-bench.XXXXXX)}"
mkdir -p "$work"
chmod 755 "$work"  # nginx's workers (www-data when started as root) read the bodies under it
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n "$keep" ]] || rm -rf "$work"
}
trap cleanup EXIT

# 10,000 idle connections need as many descriptors in each server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

BENCH_NAME=serve_vs_nginx
source "$root/bench/ports.sh"

"$mratls" lab --out "$work/lab" >/dev/null
pki="$work/lab/nodes/field-mix"
node=cucm1.field-mix.steven.lab  # the field-mix cluster's publisher: an RSA and an ECDSA certificate
ca="$work/lab/trust/lab-root.pem"
mkdir -p "$work/www/cucm-uds" "$work/nginx"
head -c 200 /dev/zero | tr '\0' 'x' > "$work/www/cucm-uds/small"
head -c 65536 /dev/zero | tr '\0' 'y' > "$work/www/cucm-uds/big"

read -r origin_rsa origin_ecdsa nginx_port pooled_port pooled2_port handshake_port <<<"$(free_ports 6)"
cat > "$work/nginx/origin.conf" <<EOF
worker_processes 1;
pid $work/nginx/origin.pid;
error_log $work/nginx/origin-error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  ssl_protocols TLSv1.2;
  ssl_session_cache off;
  ssl_session_tickets off;
  server {
    listen 127.0.0.1:$origin_rsa ssl;
    ssl_certificate $pki/$node.pem;
    ssl_certificate_key $pki/$node.key;
    root $work/www;
  }
  server {
    listen 127.0.0.1:$origin_ecdsa ssl;
    ssl_certificate $pki/$node-ecdsa.pem;
    ssl_certificate_key $pki/$node-ecdsa.key;
    root $work/www;
  }
}
EOF

# nginx as the verifying reverse proxy: one worker, the same trust, name and TLS version.
cat > "$work/nginx/proxy.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx/proxy.pid;
error_log $work/nginx/proxy-error.log;
daemon off;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream pooled { server 127.0.0.1:$origin_rsa; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_ssl_verify on;
    proxy_ssl_trusted_certificate $ca;
    proxy_ssl_name $node;
    proxy_ssl_server_name on;
    proxy_ssl_protocols TLSv1.2;
    location /pooled/ { proxy_pass https://pooled/; }
    location /handshake-rsa/ { proxy_ssl_session_reuse off; proxy_pass https://127.0.0.1:$origin_rsa/; }
    location /handshake-ecdsa/ { proxy_ssl_session_reuse off; proxy_pass https://127.0.0.1:$origin_ecdsa/; }
  }
}
EOF

# mratls: one instance per origin setting (the pool and resumption are per instance).
mratls_config() {  # name port threads keep_alive
  cat > "$work/$1.yaml" <<EOF
expressway:
  version: X14.2.0
  verify_origin_server: on
  tls_max_version: TLSv1.2
  trusted_ca_certificates: [$ca]
listen: {address: 127.0.0.1, port: $2, public_name: vcs_control.steven.lab}
allow_list:
  - {url: "https://$node:$origin_rsa/cucm-uds/", match: prefix, methods: [GET]}
  - {url: "https://$node:$origin_ecdsa/cucm-uds/", match: prefix, methods: [GET]}
hosts: {$node: 127.0.0.1}
origin: {keep_alive: $4, tls_session_reuse: $4}
limits: {max_connections: 20000}
threads: $3
log: {file: $work/$1.log, level: info}
EOF
}
declare -A port pid
port[pooled]=$pooled_port port[pooled2]=$pooled2_port port[handshake]=$handshake_port
mratls_config pooled "${port[pooled]}" 1 true
mratls_config pooled2 "${port[pooled2]}" 2 true
mratls_config handshake "${port[handshake]}" 1 false

"$nginx_bin" -c "$work/nginx/origin.conf" -p "$work/nginx" & pids+=($!)
"$nginx_bin" -c "$work/nginx/proxy.conf" -p "$work/nginx" & pids+=($!)
for name in pooled pooled2 handshake; do
  "$mratls" serve --config "$work/$name.yaml" > "$work/$name.out" 2>&1 & pids+=($!); pid[$name]=$!
done
for p in "$origin_rsa" "$origin_ecdsa" "$nginx_port" "${port[pooled]}" "${port[pooled2]}" "${port[handshake]}"; do wait_port "$p"; done
# The worker, not the master, does nginx's work.
sleep 0.5
pid[nginx]=$(pgrep -P "$(cat "$work/nginx/proxy.pid")" | head -1)

segment() { "$mratls" encode "steven.lab/https/$node/$1"; }
seg_rsa=$(segment "$origin_rsa") seg_ecdsa=$(segment "$origin_ecdsa")

# mode → (nginx URL, mratls instance, mratls URL path)
modes=(pooled-200B pooled-64KiB handshake-rsa handshake-ecdsa threads2-200B)
if [[ -n "$only" ]]; then
  IFS=, read -r -a wanted <<<"$only"
  for m in "${wanted[@]}"; do
    [[ " ${modes[*]} " == *" $m "* ]] || { echo "serve_vs_nginx: unknown mode '$m' (${modes[*]})" >&2; exit 2; }
  done
  modes=("${wanted[@]}")
fi
declare -A nginx_url mratls_of mratls_path
nginx_url[pooled-200B]=/pooled/cucm-uds/small;            mratls_of[pooled-200B]=pooled;     mratls_path[pooled-200B]=/$seg_rsa/cucm-uds/small
nginx_url[pooled-64KiB]=/pooled/cucm-uds/big;             mratls_of[pooled-64KiB]=pooled;    mratls_path[pooled-64KiB]=/$seg_rsa/cucm-uds/big
nginx_url[handshake-rsa]=/handshake-rsa/cucm-uds/small;   mratls_of[handshake-rsa]=handshake; mratls_path[handshake-rsa]=/$seg_rsa/cucm-uds/small
nginx_url[handshake-ecdsa]=/handshake-ecdsa/cucm-uds/small; mratls_of[handshake-ecdsa]=handshake; mratls_path[handshake-ecdsa]=/$seg_ecdsa/cucm-uds/small
nginx_url[threads2-200B]=/pooled/cucm-uds/small;          mratls_of[threads2-200B]=pooled2;  mratls_path[threads2-200B]=/$seg_rsa/cucm-uds/small

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

# Every path answers 200 through both proxies before anything is measured.
status_of() {  # port path
  exec 5<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.1\r\nHost: vcs_control.steven.lab\r\nConnection: close\r\n\r\n' "$2" >&5
  local line; read -r line <&5; exec 5<&-
  echo "$line" | cut -d' ' -f2
}
for mode in "${modes[@]}"; do
  inst=${mratls_of[$mode]}
  for target in "$nginx_port ${nginx_url[$mode]}" "${port[$inst]} ${mratls_path[$mode]}"; do
    set -- $target
    code=$(status_of "$1" "$2")
    [[ "$code" == 200 ]] || { echo "serve_vs_nginx: $mode: GET $2 on port $1 answered '$code', not 200 (logs in $work)" >&2; keep=$work; exit 1; }
  done
done

# One wrk run: prints "req_per_s cpu_us_per_req p50_ms p99_ms errors"
run_one() {  # pid port path
  local before after out
  before=$(ticks "$1")
  out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "Host: vcs_control.steven.lab" "http://127.0.0.1:$2$3")
  after=$(ticks "$1")
  awk -v b="$before" -v a="$after" -v hz="$hz" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /requests in/ { n = $1 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx|Socket errors/ { gsub(/^ +/, ""); err = err $0 ";" }
    END { printf "%.0f %.1f %.2f %.2f %s\n", rps, n ? (a - b) * 1e6 / hz / n : 0, p50, p99, (err == "" ? "-" : err) }' <<<"$out"
}

median() { sort -g | awk 'NF {v[++k] = $1} END {print v[int((k + 1) / 2)]}'; }

echo "serve_vs_nginx: $reps repetitions x ${#modes[@]} modes x 2 proxies, ${seconds}s each, wrk -t1 -c$conns" >&2
declare -A results
for rep in $(seq "$reps"); do
  for mode in "${modes[@]}"; do
    for who in nginx mratls; do
      if [[ $who == nginx ]]; then r=$(run_one "${pid[nginx]}" "$nginx_port" "${nginx_url[$mode]}")
      else inst=${mratls_of[$mode]}; r=$(run_one "${pid[$inst]}" "${port[$inst]}" "${mratls_path[$mode]}"); fi
      results[$mode,$who]+="$r"$'\n'
      echo "  rep $rep $mode $who: $r" >&2
    done
  done
done

hwm_nginx=$(hwm_kib "${pid[nginx]}") hwm_mratls=$(hwm_kib "${pid[pooled]}")
log_lines=$(cat "$work/pooled.log" "$work/pooled2.log" "$work/handshake.log" | wc -l)

idle_per_conn() {  # pid port → bytes per connection
  local before after fifo="$work/idle.fifo"
  before=$(rss_kib "$1")
  rm -f "$fifo"; mkfifo "$fifo"
  python3 "$root/bench/idle_clients.py" 127.0.0.1 "$2" "$idle" < "$fifo" > "$work/idle.out" &
  local client=$!
  exec 4>"$fifo"
  for _ in $(seq 600); do grep -q ready "$work/idle.out" 2>/dev/null && break; sleep 0.1; done
  for _ in $(seq 100); do [[ $(ls "/proc/$1/fd" | wc -l) -ge $idle ]] && break; sleep 0.1; done
  sleep 1
  after=$(rss_kib "$1")
  exec 4>&-
  wait "$client" || true
  echo $(( (after - before) * 1024 / idle ))
}
idle_nginx=0 idle_mratls=0
if [[ $idle -gt 0 ]]; then
  echo "serve_vs_nginx: $idle idle connections to each" >&2
  idle_nginx=$(idle_per_conn "${pid[nginx]}" "$nginx_port")
  idle_mratls=$(idle_per_conn "${pid[pooled]}" "${port[pooled]}")
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }'; }
field() { awk -v f="$1" '{print $f}' | median; }

printf '\n%s\n' "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
printf '%-16s | %-34s | %-52s\n' mode "nginx (req/s, CPU us/req, p50/p99 ms)" "mratls (req/s ×nginx, CPU us/req ×nginx, p50/p99 ms)"
json_rows=()
for mode in "${modes[@]}"; do
  n=${results[$mode,nginx]} m=${results[$mode,mratls]}
  nr=$(field 1 <<<"$n") nc=$(field 2 <<<"$n") n50=$(field 3 <<<"$n") n99=$(field 4 <<<"$n")
  mr=$(field 1 <<<"$m") mc=$(field 2 <<<"$m") m50=$(field 3 <<<"$m") m99=$(field 4 <<<"$m")
  printf '%-16s | %7s %7s %6s/%-6s          | %7s (%sx) %7s (%sx) %6s/%-6s\n' "$mode" "$nr" "$nc" "$n50" "$n99" \
    "$mr" "$(ratio "$mr" "$nr")" "$mc" "$(ratio "$mc" "$nc")" "$m50" "$m99"
  json_rows+=("{\"mode\":\"$mode\",\"nginx\":{\"rps\":$nr,\"cpu_us\":$nc,\"p50_ms\":$n50,\"p99_ms\":$n99},\"mratls\":{\"rps\":$mr,\"cpu_us\":$mc,\"p50_ms\":$m50,\"p99_ms\":$m99}}")
done
printf 'peak RSS: nginx %s KiB, mratls %s KiB (%+d KiB)\n' "$hwm_nginx" "$hwm_mratls" $((hwm_mratls - hwm_nginx))
[[ $idle -gt 0 ]] && printf 'idle connections (%s): nginx %s B each, mratls %s B each\n' "$idle" "$idle_nginx" "$idle_mratls"
printf 'mratls wrote %s log lines\n' "$log_lines"
if [[ -n "$json" ]]; then
  { printf '{"seconds":%s,"reps":%s,"connections":%s,"modes":[' "$seconds" "$reps" "$conns"
    (IFS=,; printf '%s' "${json_rows[*]}")
    printf '],"peak_rss_kib":{"nginx":%s,"mratls":%s},"idle_bytes_per_connection":{"nginx":%s,"mratls":%s},"log_lines":%s}\n' \
      "$hwm_nginx" "$hwm_mratls" "$idle_nginx" "$idle_mratls" "$log_lines"; } > "$json"
fi
