#!/usr/bin/env bash
# The README's test command: bootstrap, then a Release build, an ASan+UBSan build and a TSan
# build, all with -Wall -Wextra -Werror, each followed by its ctest run; then a short libFuzzer
# campaign over every fuzz target (scripts/fuzz.sh).
#   MRATLS_SKIP_SANITIZE=1   only the Release build (and no TSan, no libFuzzer)
#   MRATLS_FUZZ_SECONDS=N    seconds per fuzz target (default 20; 0 skips the campaign)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
jobs="${MRATLS_JOBS:-2}"

run() {
  local dir=$1 exclude=$2; shift 2
  echo "== $dir: configure and build" >&2
  cmake -S . -B "$dir" -DMRATLS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $dir: ctest" >&2
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900 ${exclude:+-E "$exclude"})
}

run build/release "" -DCMAKE_BUILD_TYPE=Release
if [ "${MRATLS_SKIP_SANITIZE:-0}" != 1 ]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run build/asan "" -DCMAKE_BUILD_TYPE=Debug -DMRATLS_SANITIZE=ON
  # The unit and integration tests under ThreadSanitizer; any report fails the run.
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    run build/tsan '^fuzz\.' -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMRATLS_SANITIZE=thread
  if [ "${MRATLS_FUZZ_SECONDS:-20}" != 0 ]; then
    bash scripts/fuzz.sh "${MRATLS_FUZZ_SECONDS:-20}"
  fi
fi
