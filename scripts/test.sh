#!/usr/bin/env bash
# The README's test command: bootstrap, then a Release build, an ASan+UBSan build and a TSan
# build, all with -Wall -Wextra -Werror, each followed by its ctest run; then a short libFuzzer
# campaign over every fuzz target (scripts/fuzz.sh). Each build after the first runs while the
# tests before it do (see behind below). Each stage's time is printed at the end.
#   MRATLS_SKIP_SANITIZE=1   only the Release build (and no TSan, no libFuzzer)
#   MRATLS_FUZZ_SECONDS=N    seconds per fuzz target (default 20; 0 skips the campaign)
#   MRATLS_UNITY=OFF         one translation unit per source file (the default compiles each
#                            target's sources as one unit, which takes about a third of the time)
#   MRATLS_UNITY_BATCH=N     sources per unit (default 0: all of a target's)
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

sanitize=1
[ "${MRATLS_SKIP_SANITIZE:-0}" = 1 ] && sanitize=0
fuzz_seconds="${MRATLS_FUZZ_SECONDS:-20}"
# clang compiles the sanitizer builds and libFuzzer's; installed here in the foreground (sudo may
# ask for a password). Its sanitizers name functions and lines through llvm-symbolizer.
clang_packages=()
if [ "$sanitize" = 1 ]; then
  clang_packages=(clang-16 libclang-rt-16-dev)
  command -v llvm-symbolizer-16 >/dev/null || command -v llvm-symbolizer >/dev/null || clang_packages+=(llvm-16)
fi
timed bootstrap bash scripts/bootstrap.sh "${clang_packages[@]}"
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH="$symbolizer" TSAN_SYMBOLIZER="external_symbolizer_path=$symbolizer"

build() {
  local dir=$1; shift
  echo "== $dir: configure and build" >&2
  # Ninja compiles every target's sources as one pool (make waits for each library in turn);
  # a folder configured before with another generator keeps it.
  local generator=() compiler=""
  # A folder configured by another compiler (the sanitizer builds were g++'s) starts afresh.
  for arg in "$@"; do [[ $arg == -DCMAKE_CXX_COMPILER=* ]] && compiler=${arg#*=}; done
  if [ -n "$compiler" ] && [ -f "$dir/CMakeCache.txt" ] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=.*$compiler\$" "$dir/CMakeCache.txt"; then
    echo "== $dir: configured by another compiler; removed to build with $compiler" >&2
    rm -rf "$dir"
  fi
  [ -f "$dir/CMakeCache.txt" ] || ! command -v ninja >/dev/null || generator=(-G Ninja)
  cmake -S . -B "$dir" "${generator[@]}" -DMRATLS_WERROR=ON -DCMAKE_UNITY_BUILD="${MRATLS_UNITY:-ON}" \
    -DCMAKE_UNITY_BUILD_BATCH_SIZE="${MRATLS_UNITY_BATCH:-0}" "$@" >/dev/null
  cmake --build "$dir" -j "${MRATLS_JOBS:-2}"
}
check() {
  echo "== $1: ctest" >&2
  (cd "$1" && ctest --output-on-failure -j "${MRATLS_JOBS:-2}" --timeout 900)
}
# Each build after the first compiles while the tests of the one before run, at the lowest CPU
# and I/O priority. The tests spend much of their time waiting on sockets and timers; the
# compiler takes the cycles they leave, and a test thread that wakes preempts it at once. Its
# output goes to a log, shown if it fails. In the table, a build's time is what the run waited
# for it after those tests, and how long it had run beside them.
export -f build
behind_pid="" behind_name="" behind_log="" behind_start=0
behind() {
  behind_name=$1 behind_log=$2 behind_start=$(date +%s); shift 2
  echo "== $behind_name: starts beside the tests (nice 19, idle I/O; log $behind_log)" >&2
  mkdir -p "$(dirname "$behind_log")"
  rm -f "$behind_log.end"
  # A process group of its own (setsid does not fork here: a script runs without job control,
  # so the background job is no group leader), for stop_behind to end it with its compilers.
  # A new session is also a new scheduler autogroup where the kernel has them, which would share
  # the CPU half and half with the tests whatever its nice: the group itself gets nice 19.
  setsid nice -n 19 ionice -c 3 -t bash -c \
    'set -euo pipefail; echo 19 2>/dev/null >/proc/self/autogroup || true; "${@:2}"; date +%s >"$1"' \
    _ "$behind_log.end" "$@" >"$behind_log" 2>&1 &
  behind_pid=$!
}
join_behind() {
  local joined rc=0 ended
  joined=$(date +%s)
  wait "$behind_pid" || rc=$?
  behind_pid=""
  ended=$(cat "$behind_log.end" 2>/dev/null || date +%s)
  local after=$((ended > joined ? ended - joined : 0)) beside=$(((ended < joined ? ended : joined) - behind_start))
  stages+=("$(printf '%-24s %4d s  (and %d s beside the tests before it)' "$behind_name" "$after" "$beside")")
  if [ "$rc" != 0 ]; then
    tail -n 60 "$behind_log" >&2
    echo "== $behind_name: FAILED (exit $rc; whole output in $behind_log)" >&2
    exit "$rc"
  fi
}
stop_behind() {
  [ -z "$behind_pid" ] || kill -- -"$behind_pid" 2>/dev/null || true
  report
}
trap stop_behind EXIT

# The sanitizer builds: clang 16 at -O0, with line tables only (-g1, enough for every report's
# stack) and precompiled headers. Each compiles in about a third of g++'s time (ASan: 145 s
# where g++ took about 380 on a quiet machine), and the Release build stays with g++, so both
# compilers' warnings fail the run. Not -O1: there clang keeps a thread_local's address across a
# co_await, and a coroutine resumed on another thread of the pool reads the first thread's
# (TSan reported Asio's frame recycling as a race on another thread's stack; g++ does not do it).
clang=(-DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug
  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1 -DMRATLS_BENCH=OFF)
asan_args=("${clang[@]}" -DMRATLS_SANITIZE=ON)
tsan_args=("${clang[@]}" -DMRATLS_SANITIZE=thread -DMRATLS_FUZZ_TESTS=OFF)

timed "build/release build" build build/release -DCMAKE_BUILD_TYPE=Release
[ "$sanitize" = 1 ] && behind "build/asan build" build/asan.build.log build build/asan "${asan_args[@]}"
timed "build/release ctest" check build/release
[ "$sanitize" = 1 ] || exit 0

join_behind
behind "build/tsan build" build/tsan.build.log build build/tsan "${tsan_args[@]}"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 timed "build/asan ctest" check build/asan

join_behind
[ "$fuzz_seconds" != 0 ] && behind "libFuzzer build" build/fuzz.build.log bash scripts/fuzz.sh --build-only
# The unit and integration tests under ThreadSanitizer; any report fails the run.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_SYMBOLIZER:-}" \
  timed "build/tsan ctest" check build/tsan

if [ "$fuzz_seconds" != 0 ]; then
  join_behind
  timed "libFuzzer run" bash scripts/fuzz.sh "$fuzz_seconds"
fi
