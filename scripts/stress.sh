#!/usr/bin/env bash
# The flake check: the integration tests run RUNS times in a row (default 20) on the ASan+UBSan
# build while stress-ng keeps every core busy, as ctest runs them (in parallel, -j2). Any
# failure stops the run and names the run and the test; its output stays in build/stress/.
#   scripts/stress.sh [RUNS] [BUILD_DIR]       (BUILD_DIR: default build/asan, from scripts/test.sh)
# Installs Debian's stress-ng if it is missing. Runs by hand, never as a test.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
build="${2:-build/asan}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "stress: '$runs' is not a positive whole number of runs" >&2; exit 2; }
[[ -x "$build/tests/integration/mratls_integration_tests" ]] ||
  { echo "stress: $build has no integration tests: build it first (scripts/test.sh builds build/asan)" >&2; exit 2; }
bash scripts/bootstrap.sh stress-ng

log=build/stress
mkdir -p "$log"
cores=$(nproc)
stress-ng --cpu "$cores" --cpu-method matrixprod --timeout 0 --quiet &
load=$!
trap 'kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true' EXIT

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
# The build is clang's: its reports name functions and lines through llvm-symbolizer.
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH="$symbolizer"
start=$SECONDS
for run in $(seq 1 "$runs"); do
  t=$SECONDS
  if ! (cd "$build" && ctest -R '^integration\.' -j "${MRATLS_JOBS:-2}" --timeout 900 --output-on-failure) \
      >"$log/run-$run.log" 2>&1; then
    echo "stress: run $run of $runs FAILED under stress-ng --cpu $cores:" >&2
    grep -E "\(Failed\)|\*\*\*|Timeout" "$log/run-$run.log" >&2 || tail -40 "$log/run-$run.log" >&2
    echo "stress: whole output in $log/run-$run.log" >&2
    exit 1
  fi
  echo "stress: run $run of $runs passed ($((SECONDS - t)) s, $(grep -c 'Passed' "$log/run-$run.log") tests)" >&2
done
echo "stress: $runs runs of the integration tests under stress-ng --cpu $cores, no failure ($((SECONDS - start)) s)" >&2
