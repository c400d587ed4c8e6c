# Port helpers shared by the benchmark scripts (sourced). BENCH_NAME prefixes their messages.

# N distinct free ports: all bound at once, so none is handed out twice.
free_ports() {
  python3 -c 'import socket,sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# Waits up to 10 s for something to listen on 127.0.0.1:PORT; exits the script if nothing does.
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "${BENCH_NAME:-bench}: nothing listens on port $1" >&2; exit 1
}
