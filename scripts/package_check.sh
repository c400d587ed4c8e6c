#!/usr/bin/env bash
# Checks what a build installs and packages: `cmake --install` puts an mratls that runs in
# bin/, and `cpack -G DEB` makes a .deb holding usr/bin/mratls whose Depends names the Debian
# runtime libraries it links against. ctest runs it on the Release build (`package_deb`).
#   scripts/package_check.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: scripts/package_check.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$work/prefix/bin/mratls" --help >/dev/null
echo "install: $work/prefix/bin/mratls runs"

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null)
deb=$(ls "$work"/deb/mratls_*.deb)
contents=$(dpkg-deb -c "$deb")
grep -q ' \./usr/bin/mratls$' <<<"$contents" || { echo "package: no usr/bin/mratls in $deb" >&2; exit 1; }
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb") Depends: $depends"
for lib in libssl3 libspdlog libyaml-cpp libarchive libfmt libstdc++6; do
  grep -q "$lib" <<<"$depends" || { echo "package: Depends lacks $lib" >&2; exit 1; }
done
echo "package: every runtime library declared"
