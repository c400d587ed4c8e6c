#!/usr/bin/env bash
# The README's test command: bootstrap, then a Release build, an ASan+UBSan build and a TSan
# build, all with -Wall -Wextra -Werror, each followed by its ctest run; then a short libFuzzer
# campaign over every fuzz target (scripts/fuzz.sh). Each stage's time is printed at the end.
#   MRATLS_SKIP_SANITIZE=1   only the Release build (and no TSan, no libFuzzer)
#   MRATLS_FUZZ_SECONDS=N    seconds per fuzz target (default 20; 0 skips the campaign)
#   MRATLS_UNITY=OFF         one translation unit per source file (the default compiles each
#                            target's sources eight to a unit, which takes about half the time)
set -euo pipefail
cd "$(dirname "$0")/.."
stages=()
# Each stage's wall time, printed at the end (and on failure, as far as it got).
timed() {
  local name=$1 start=$SECONDS; shift
  "$@"
  stages+=("$(printf '%-24s %4d s' "$name" $((SECONDS - start)))")
}
report() {
  [ ${#stages[@]} -eq 0 ] && return
  echo "== stage times (total ${SECONDS} s)" >&2
  printf '   %s\n' "${stages[@]}" >&2
}
trap report EXIT

timed bootstrap bash scripts/bootstrap.sh
jobs="${MRATLS_JOBS:-2}"

build() {
  local dir=$1; shift
  echo "== $dir: configure and build" >&2
  # Ninja compiles every target's sources as one pool (make waits for each library in turn);
  # a folder configured before with another generator keeps it.
  local generator=()
  [ -f "$dir/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S . -B "$dir" "${generator[@]}" -DMRATLS_WERROR=ON -DCMAKE_UNITY_BUILD="${MRATLS_UNITY:-ON}" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
check() {
  local dir=$1 exclude=$2
  echo "== $dir: ctest" >&2
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900 ${exclude:+-E "$exclude"})
}
run() {
  local dir=$1 exclude=$2; shift 2
  timed "$dir build" build "$dir" "$@"
  timed "$dir ctest" check "$dir" "$exclude"
}

# The sanitizer builds carry line tables only (-g1): enough for every report's stack, and the
# TSan build at -O1 compiles in about half the time of RelWithDebInfo's -O2 -g.
run build/release "" -DCMAKE_BUILD_TYPE=Release
if [ "${MRATLS_SKIP_SANITIZE:-0}" != 1 ]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run build/asan "" -DMRATLS_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug -DMRATLS_SANITIZE=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1
  # The unit and integration tests under ThreadSanitizer; any report fails the run.
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    run build/tsan "" -DMRATLS_BENCH=OFF -DMRATLS_FUZZ_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMRATLS_SANITIZE=thread \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  if [ "${MRATLS_FUZZ_SECONDS:-20}" != 0 ]; then
    timed "libFuzzer (build + run)" bash scripts/fuzz.sh "${MRATLS_FUZZ_SECONDS:-20}"
  fi
fi
