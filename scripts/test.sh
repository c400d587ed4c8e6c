#!/usr/bin/env bash
# The README's test command: bootstrap, then a Release build and an ASan+UBSan build, both with
# -Wall -Wextra -Werror, each followed by its ctest run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
jobs="${MRATLS_JOBS:-2}"

run() {
  local dir=$1; shift
  echo "== $dir: configure and build" >&2
  cmake -S . -B "$dir" -DMRATLS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $dir: ctest" >&2
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 300)
}

run build/release -DCMAKE_BUILD_TYPE=Release
if [ "${MRATLS_SKIP_SANITIZE:-0}" != 1 ]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run build/asan -DCMAKE_BUILD_TYPE=Debug -DMRATLS_SANITIZE=ON
fi
