#!/usr/bin/env python3
"""Open N TCP connections to HOST:PORT, send nothing, hold them until stdin closes.

Prints "ready N" once every connection is established (or "failed K" for those refused), so
that the caller can read the server's memory while the connections sit idle.
"""
import socket
import sys


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] in ("-h", "--help"):
        print("usage: idle_clients.py HOST PORT N", file=sys.stderr)
        return 2
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    held, failed = [], 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect((host, port))
            held.append(s)
        except OSError:
            s.close()
            failed += 1
    print(f"ready {len(held)}" + (f" failed {failed}" if failed else ""), flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
