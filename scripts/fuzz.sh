#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer: installs Debian's clang-16, builds every tests/fuzz
# target with -fsanitize=fuzzer,address,undefined, and runs each for SECONDS (default 30) from
# its corpus in tests/fuzz/corpus/<target>. Fails on any crash, leak or broken property.
#   scripts/fuzz.sh [--build-only] [SECONDS] [TARGET...]
# (scripts/test.sh builds the targets with --build-only while the TSan tests run, then runs
# them; the build is then up to date.)
# Inputs the fuzzer finds interesting go to build/fuzz/corpus/<target> (not into the
# repository); a crashing input is written to build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=all
case "${1:-}" in
  --build-only) mode=build; shift ;;
esac
seconds="${1:-30}"
shift || true

bash scripts/bootstrap.sh clang-16 libclang-rt-16-dev

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^set(MRATLS_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt))
fi

dir=build/fuzz
echo "== fuzz: configure and build (clang-16, libFuzzer, ASan+UBSan)" >&2
generator=()
[ -f "$dir/CMakeCache.txt" ] || ! command -v ninja >/dev/null || generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD="${MRATLS_UNITY:-ON}" -DCMAKE_UNITY_BUILD_BATCH_SIZE="${MRATLS_UNITY_BATCH:-0}" -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
  -DMRATLS_LIBFUZZER=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" >/dev/null
cmake --build "$dir" -j "${MRATLS_JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}")
[ "$mode" = build ] && exit 0

mkdir -p "$dir/artifacts"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Each target is one single-threaded process: as many run at once as there are jobs (cores).
parallel="${MRATLS_JOBS:-2}"
fuzz_one() {
  local t=$1 work="$dir/corpus/$1"
  mkdir -p "$work"
  # The work corpus first: new inputs are written there, the seeds are only read.
  "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" "$work" "tests/fuzz/corpus/$t" \
    >"$dir/$t.log" 2>&1
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  echo "== fuzz: $t for ${seconds}s" >&2
  rm -f "$dir/$t.rc"
  (set +e; fuzz_one "$t"; echo $? >"$dir/$t.rc") &
done
wait
failed=()
for t in "${targets[@]}"; do
  if [ "$(cat "$dir/$t.rc" 2>/dev/null)" != 0 ]; then
    failed+=("$t")
    tail -40 "$dir/$t.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$dir/$t.log" | sed "s/^/   $t /" >&2 || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $dir/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash" >&2
