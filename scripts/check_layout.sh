#!/usr/bin/env bash
# Every library folder includes only its own headers and those of the folders below it
# (docs/architecture.md, "Folders and their directions"); `cli/`, `tests/` and `bench/` may
# include anything. Prints each include that goes the wrong way, with file and line; exits 1
# if there is one. Run by ctest (the `layout` tests) and so by CI.
#   scripts/check_layout.sh [ROOT]   ROOT: the tree to check (default: this repository)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

declare -A allowed=(
  [mra]=""
  [config]=""
  [verify]="config"
  [logs]="verify config mra"
  [scan]="logs verify config mra"
  [proxy]="verify logs config mra"
  [control]="proxy logs verify config mra"
  [check]="proxy verify logs config mra"
  [lab]="control proxy verify logs config mra"
  [replay]="lab scan control proxy verify logs config mra"
  [build_support]=""
)
ours=" mra config verify logs scan proxy control check lab replay build_support cli tests bench "

status=0
for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || continue
  while IFS=: read -r file line text; do
    # Matched in bash: a sed for each of the thousand includes took ten seconds on a busy machine.
    [[ "$text" =~ \#[[:space:]]*include[[:space:]]*\"([^/\"]+)/ ]] || continue  # same folder, no path
    target=${BASH_REMATCH[1]}
    [ "$target" = "$folder" ] && continue
    [[ "$ours" == *" $target "* ]] || continue    # not one of our folders (third_party/llhttp)
    if [[ " ${allowed[$folder]} " != *" $target "* ]]; then
      echo "$file:$line: $folder/ may not include $target/ (${text#"${text%%[![:space:]]*}"})"
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$folder" --include='*.hpp' --include='*.cpp' --include='*.h' || true)
done
if [ "$status" = 0 ]; then echo "layout: every include goes down the layers"; fi
exit "$status"
