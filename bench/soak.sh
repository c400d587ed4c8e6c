#!/usr/bin/env bash
# A soak run of mratls serve: hours of load, faults and live switches, and whether anything grows.
#
#   bench/soak.sh [--minutes N] [--connections C] [--load PERCENT] [--out DIR] [--mratls PATH]
#
# It measures the proxy's pooled capacity first (wrk, keep-alive to the origin, 10 s), then
# keeps it at PERCENT (default 80) of that for N minutes (default 60), one wrk run a minute. One
# request in a hundred goes to a misbehaving origin, in turn one that resets the connection
# after the request, one that never answers (the proxy's 504 after origin_response_ms, 250 ms), one with
# a self-signed certificate (502 under VerifyOriginServer On) and one that sends stray bytes after
# its response. Every 5 s the admin listener flips a switch: the cipher preference, and
# VerifyOriginServer On / log-only. Each minute it records the proxy's RSS and open descriptors,
# the requests answered, the errors on the healthy path (which must stay 0), the faults
# injected and the client's socket errors. It writes DIR/soak.csv and DIR/soak.png (gnuplot)
# and ends with a verdict: RSS and descriptors flat after the warm-up (the first 5 minutes, or
# a tenth of the run; descriptors judged by trend, last third against first), no error beyond
# the injected faults. Exit 0 if so, 1 if not.
# Runs by hand, never as a test; installs nginx-light, wrk, python3 and gnuplot-nox if missing.
set -euo pipefail

minutes=60 conns=32 load=80 out="" mratls=""
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --mratls) mratls="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$minutes" "$conns" "$load"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "soak: '$n' is not a positive whole number" >&2; exit 2; }
done
(( load <= 100 )) || { echo "soak: --load $load is above 100 (percent of capacity)" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
mratls="${mratls:-$root/build/release/cli/mratls}"
[[ -x "$mratls" ]] || { echo "soak: $mratls not built (cmake --build build/release)" >&2; exit 1; }
out="${out:-$root/build/soak}"
mkdir -p "$out"

need=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v python3 >/dev/null || need+=(python3)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "soak: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

work="$(mktemp -d /tmp/mratls-soak.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

BENCH_NAME=soak
source "$root/bench/ports.sh"

"$mratls" lab --out "$work/lab" >/dev/null
node=cucm1.field-mix.steven.lab
pki="$work/lab/nodes/field-mix"
ca="$work/lab/trust/lab-root.pem"
mkdir -p "$work/www/cucm-uds"
head -c 200 /dev/zero | tr '\0' 'x' > "$work/www/cucm-uds/version"

read -r good reset stall self_signed stray proxy admin <<<"$(free_ports 7)"
cat > "$work/origin.conf" <<EOF
worker_processes 1;
pid $work/origin.pid;
error_log $work/origin-error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$good ssl;
    ssl_certificate $pki/$node.pem;
    ssl_certificate_key $pki/$node.key;
    root $work/www;
  }
}
EOF

# The misbehaving origins: one thread per connection, each port its own fault.
cat > "$work/faults.py" <<'EOF'
import socket, ssl, struct, sys, threading, time
cert, key, bad_cert, bad_key = sys.argv[1:5]
ports = dict(zip(("reset", "stall", "self-signed", "stray"), map(int, sys.argv[5:9])))
def context(c, k):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(c, k)
    return ctx
good_ctx, bad_ctx = context(cert, key), context(bad_cert, bad_key)
def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data
def answer(conn, fault):
    try:
        while read_head(conn) is not None:
            if fault == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break
            if fault == "stall":
                conn.recv(1)  # until the proxy gives up (origin_response_ms) and closes
                break
            body = b"stray" if fault == "stray" else b"not verified"
            reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            conn.sendall(reply + (b"HTTP/1.1 200 OK\r\n\r\nleftover" if fault == "stray" else b""))
    except OSError:
        pass
    finally:
        conn.close()
def serve(fault, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(512)
    ctx = bad_ctx if fault == "self-signed" else good_ctx
    while True:
        raw, _ = s.accept()
        def handshake(raw=raw):
            try:
                answer(ctx.wrap_socket(raw, server_side=True), fault)
            except OSError:
                raw.close()
        threading.Thread(target=handshake, daemon=True).start()
for fault, port in ports.items():
    threading.Thread(target=serve, args=(fault, port), daemon=True).start()
threading.Event().wait()
EOF

cat > "$work/mratls.yaml" <<EOF
expressway:
  version: X14.2.0
  verify_origin_server: on
  trusted_ca_certificates: [$ca]
listen: {address: 127.0.0.1, port: $proxy, public_name: vcs_control.steven.lab}
allow_list:
$(for p in "$good" "$reset" "$stall" "$self_signed" "$stray"; do
    echo "  - {url: \"https://$node:$p/cucm-uds/\", match: prefix, methods: [GET]}"
  done)
hosts: {$node: 127.0.0.1}
timeouts: {origin_response_ms: 250}
threads: 1
admin: {address: 127.0.0.1, port: $admin}
log: {file: /dev/null, level: info}
EOF

"$nginx_bin" -c "$work/origin.conf" -p "$work" & pids+=($!)
python3 "$work/faults.py" "$pki/$node.pem" "$pki/$node.key" \
  "$work/lab/nodes/self-signed/cucm.self-signed.steven.lab.pem" "$work/lab/nodes/self-signed/cucm.self-signed.steven.lab.key" \
  "$reset" "$stall" "$self_signed" "$stray" & pids+=($!)
"$mratls" serve --config "$work/mratls.yaml" > "$work/serve.out" 2>&1 & serve_pid=$!; pids+=($serve_pid)
for p in "$good" "$reset" "$stall" "$self_signed" "$stray" "$proxy" "$admin"; do wait_port "$p"; done

segment() { "$mratls" encode "steven.lab/https/$node/$1"; }
good_path="/$(segment "$good")/cucm-uds/version"
fault_paths=()
for p in "$reset" "$stall" "$self_signed" "$stray"; do fault_paths+=("/$(segment "$p")/cucm-uds/version"); done

# One connection per wrk thread, so that each response is told which request it answers.
cat > "$work/soak.lua" <<EOF
local good = "$good_path"
local faults = { "${fault_paths[0]}", "${fault_paths[1]}", "${fault_paths[2]}", "${fault_paths[3]}" }
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local share = tonumber(os.getenv("SOAK_FAULT_SHARE") or "0")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  sent_good, good_errors, injected, last, owed, n = 0, 0, 0, "good", 0, 0
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 100000)
end
function request()
  n = n + 1
  if share > 0 and math.random() < share then
    injected = injected + 1
    last = "fault"
    return wrk.format("GET", faults[injected % 4 + 1])
  end
  sent_good = sent_good + 1
  last = "good"
  return wrk.format("GET", good)
end
function response(status, headers, body)
  if last == "good" and status ~= 200 then good_errors = good_errors + 1 end
end
function delay()
  owed = owed + pause
  local whole = math.floor(owed)
  owed = owed - whole
  return whole
end
function done(summary, latency, requests)
  local g, e, i = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("sent_good"); e = e + t:get("good_errors"); i = i + t:get("injected")
  end
  local s = summary.errors
  io.write(string.format("SOAK requests=%d good=%d good_errors=%d injected=%d socket_errors=%d p99_ms=%.2f\n",
    summary.requests, g, e, i, s.connect + s.read + s.write + s.timeout, latency:percentile(99) / 1000))
end
EOF

run_wrk() {  # seconds, delay ms, fault share -> the SOAK line
  SOAK_DELAY_MS="$2" SOAK_FAULT_SHARE="$3" wrk -t"$conns" -c"$conns" -d"$1"s --timeout 10s -s "$work/soak.lua" \
    "http://127.0.0.1:$proxy" | grep '^SOAK' || { echo "soak: wrk failed" >&2; exit 1; }
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

echo "soak: measuring the pooled capacity (10 s, $conns connections, healthy path only)" >&2
capacity_line=$(run_wrk 10 0 0)
capacity=$(( $(field requests "$capacity_line") / 10 ))
target=$(( capacity * load / 100 ))
(( target > 0 )) || { echo "soak: no capacity measured: $capacity_line" >&2; exit 1; }
echo "soak: capacity $capacity req/s; holding $target req/s ($load %) for $minutes min, 1 % faults" >&2

# The switches, flipped every 5 s for as long as the run lasts.
(
  settings=("cipher_preference=rsa" "verify_origin_server=log-only" "cipher_preference=ecdsa" "verify_origin_server=on")
  i=0
  while sleep 5; do
    "$mratls" admin --to "127.0.0.1:$admin" set "${settings[i % 4]}" >/dev/null 2>&1 || echo "soak: admin flip failed" >&2
    i=$((i + 1))
  done
) & pids+=($!)

csv="$out/soak.csv"
echo "minute,rss_kib,fds,requests_per_s,good_errors,injected,socket_errors,p99_ms" > "$csv"
# The pause per request that holds the target rate, corrected each minute by what was achieved.
pause=$(python3 -c "print(max(0.0, 1000.0 * $conns / $target - 0.3))")
for minute in $(seq 1 "$minutes"); do
  line=$(run_wrk 60 "$pause" 0.01)
  rate=$(( $(field requests "$line") / 60 ))
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status")
  fds=$(ls "/proc/$serve_pid/fd" | wc -l)
  printf '%d,%d,%d,%d,%d,%d,%d,%s\n' "$minute" "$rss" "$fds" "$rate" "$(field good_errors "$line")" \
    "$(field injected "$line")" "$(field socket_errors "$line")" "$(field p99_ms "$line")" >> "$csv"
  echo "soak: minute $minute/$minutes: $rate req/s, RSS $rss KiB, $fds fds, $(field good_errors "$line") errors," \
       "$(field injected "$line") faults injected, $(field socket_errors "$line") socket errors" >&2
  pause=$(python3 -c "
per_request = 1000.0 * $conns / max($rate, 1)      # ms between a connection's requests now
print(max(0.0, $pause - (per_request - 1000.0 * $conns / $target)))")
done

gnuplot <<EOF
set terminal pngcairo size 1100,620 font "DejaVu Sans,11"
set output "$out/soak.png"
set datafile separator ","
set key autotitle columnhead top left
set multiplot layout 2,1 title "mratls serve: $minutes min at $load % of $capacity req/s, 1 % origin faults, a switch flipped every 5 s"
set xlabel "minute"
set ylabel "RSS (KiB)"
set y2label "open descriptors"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
plot "$csv" using 1:2 with linespoints title "RSS (KiB)", "" using 1:3 axes x1y2 with linespoints title "open fds"
set ylabel "requests/s"
set y2label "count per minute"
plot "$csv" using 1:4 with linespoints title "requests/s", "" using 1:6 axes x1y2 with linespoints title "faults injected", \
     "" using 1:5 axes x1y2 with linespoints title "errors (healthy path)", "" using 1:7 axes x1y2 with linespoints title "socket errors"
unset multiplot
EOF

# The verdict: after the warm-up, RSS within 10 % (and 4 MiB) of its first value, descriptors
# not trending up, and no error that was not injected. Descriptors move with the idle origin
# pool (up to one kept-alive connection per client connection, for idle_ms) and the faulty
# origins' connections in flight when the minute's sample is taken, so one sample against
# another says nothing: a leak shows as the last third of the run above the first third.
status=0
python3 - "$csv" <<'EOF' || status=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
warm = max(1, min(5, len(rows) // 10))
after = rows[warm:] or rows
rss = [int(r["rss_kib"]) for r in after]
fds = [int(r["fds"]) for r in after]
errors = sum(int(r["good_errors"]) + int(r["socket_errors"]) for r in rows)
rss_ok = max(rss) - rss[0] <= max(4096, rss[0] // 10)
third = max(1, len(fds) // 3)
fds_ok = max(fds[-third:]) <= max(fds[:third]) + 5
print(f"soak: after {warm} min of warm-up RSS {rss[0]} → {rss[-1]} KiB (max {max(rss)}): {'flat' if rss_ok else 'GROWS'}; "
      f"fds {min(fds)}..{max(fds)}, highest {max(fds[:third])} in the first third and {max(fds[-third:])} in the last: "
      f"{'flat' if fds_ok else 'GROW'}; errors beyond the injected faults: {errors}")
sys.exit(0 if rss_ok and fds_ok and errors == 0 else 1)
EOF
echo "soak: $csv and $out/soak.png written" >&2
exit $status
