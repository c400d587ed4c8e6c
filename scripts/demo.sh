#!/usr/bin/env bash
# The README's main command: bootstrap, build, and run the built-in lab (mratls lab): the seed
# log's three sequences and every scenario of the catalogue through the real proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMRATLS_WERROR=ON >/dev/null
cmake --build build/release -j "${MRATLS_JOBS:-2}" --target mratls >/dev/null
exec build/release/cli/mratls lab "$@"
