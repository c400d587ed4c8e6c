#!/usr/bin/env bash
# Checks what a build installs and packages, as far as a machine without a running systemd
# allows. `cmake --install` (staged with DESTDIR) gives a running mratls, its man pages, bash
# completion, the systemd unit and /etc/mratls/mratls.yaml; `cpack -G DEB` makes a .deb with
# the same files, the configuration marked as a conffile and a Depends that names the Debian
# runtime libraries. In the package: the example configuration is valid, `man` shows the pages,
# completion completes, `systemd-analyze verify` accepts the unit, and lintian has nothing to
# say beyond the tags the README explains. ctest runs it on the Release build (`package_deb`).
#   scripts/package_check.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: scripts/package_check.sh BUILD_DIR}" && pwd)
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package: $*" >&2; exit 1; }

DESTDIR="$work/staged" cmake --install "$build" --prefix /usr >/dev/null
"$work/staged/usr/bin/mratls" --help >/dev/null
echo "install: usr/bin/mratls runs"

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null)
deb=$(ls "$work"/deb/mratls_*.deb)
root="$work/root"
dpkg-deb -x "$deb" "$root"
contents=$(dpkg-deb -c "$deb")
man_pages=(mratls mratls-serve mratls-lab mratls-check mratls-scan mratls-cert mratls-cert-verify mratls-admin mratls-login)
expected=(usr/bin/mratls usr/share/bash-completion/completions/mratls lib/systemd/system/mratls.service
  etc/mratls/mratls.yaml usr/share/doc/mratls/configuration.md usr/share/doc/mratls/copyright
  usr/share/doc/mratls/changelog.gz)
for page in "${man_pages[@]}"; do expected+=("usr/share/man/man1/$page.1.gz"); done
for path in "${expected[@]}"; do
  grep -q " \./$path\$" <<<"$contents" || fail "no $path in $(basename "$deb")"
  [ -e "$work/staged/$path" ] || fail "cmake --install put no $path"
done
echo "package: binary, ${#man_pages[@]} of its man pages, completion, unit and configuration in place"

depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb") Depends: $depends"
for lib in libssl3 libspdlog libyaml-cpp libarchive libfmt libstdc++6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
[ "$(dpkg-deb -f "$deb" Package)" = mratls ] || fail "not named mratls"
mkdir "$work/control" && dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/mratls/mratls.yaml ] || fail "/etc/mratls/mratls.yaml is not a conffile"
echo "package: every runtime library declared, /etc/mratls/mratls.yaml a conffile"

# An install again keeps a local edit of the configuration.
echo "# edited" >> "$work/staged/etc/mratls/mratls.yaml"
DESTDIR="$work/staged" cmake --install "$build" --prefix /usr >/dev/null
grep -q "^# edited" "$work/staged/etc/mratls/mratls.yaml" || fail "cmake --install overwrote an edited /etc/mratls/mratls.yaml"

# The configuration the unit serves is valid as shipped.
"$root/usr/bin/mratls" serve --check-config "$root/etc/mratls/mratls.yaml" >/dev/null ||
  fail "the shipped /etc/mratls/mratls.yaml does not pass --check-config"

# man finds and formats the pages; each names its command and its options.
page=$(MANWIDTH=100 man -l "$root/usr/share/man/man1/mratls-serve.1.gz" 2>&1)
grep -q "mratls-serve - Run the MRA reverse proxy" <<<"$page" || fail "mratls-serve(1) has no NAME line:\n$page"
grep -q -- "--check-config" <<<"$page" || fail "mratls-serve(1) does not list --check-config"
grep -q "mratls serve \[OPTIONS\]" <<<"$page" || fail "mratls-serve(1) has no SYNOPSIS"
page=$(MANWIDTH=100 man -l "$root/usr/share/man/man1/mratls.1.gz" 2>&1)
grep -q "truststore\|Subcommands\|SUBCOMMANDS" <<<"$page" || fail "mratls(1) does not list the subcommands"
echo "package: man shows mratls(1) and mratls-serve(1)"

# Completion, as bash calls it: subcommands, options, an option's choices.
complete_words() {
  PATH="$root/usr/bin:$PATH" bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mratls; echo "${COMPREPLY[*]}"' \
    _ "$root/usr/share/bash-completion/completions/mratls" "$@"
}
[ "$(complete_words mratls se)" = serve ] || fail "completion of 'mratls se': $(complete_words mratls se)"
[ "$(complete_words mratls serve --c)" = "--config --check-config" ] || fail "completion of 'mratls serve --c'"
[ "$(complete_words mratls lab --verify '')" = "on off log-only" ] || fail "completion of 'mratls lab --verify'"
[ "$(complete_words mratls cert '')" = "verify match lint truststore" ] || fail "completion of 'mratls cert'"
echo "package: completion gives subcommands, options and choices"

# The unit as shipped runs /usr/bin/mratls; systemd-analyze checks a copy that points at the
# extracted binary (it wants each command to exist), without looking for its man pages.
unit="$root/lib/systemd/system/mratls.service"
grep -qx "ExecStart=/usr/bin/mratls serve --config /etc/mratls/mratls.yaml" "$unit" || fail "the unit's ExecStart is not /usr/bin/mratls"
if grep -q "^WantedBy" "$unit" && [ -e "$root/etc/systemd/system/multi-user.target.wants/mratls.service" ]; then
  fail "the package enables the unit"
fi
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/mratls|$root/usr/bin/mratls|" "$unit" >"$work/mratls.service"
  verdict=$(systemd-analyze verify --man=no "$work/mratls.service" 2>&1) || fail "systemd-analyze verify: $verdict"
  [ -z "$verdict" ] || fail "systemd-analyze verify: $verdict"
  echo "package: systemd-analyze verify accepts mratls.service"
else
  echo "package: systemd-analyze not installed: the unit was not verified" >&2
fi

# lintian: every tag it reports must be one the README explains.
if command -v lintian >/dev/null; then
  # lintian exits non-zero when it reports an error tag: the tags themselves are the verdict.
  report=$(lintian --tag-display-limit 0 "$deb" 2>/dev/null || true)
  tags=$(sed -n 's/^[EWIP]: mratls[^:]*: \([a-z0-9-]*\).*/\1/p' <<<"$report" | sort -u)
  explained=$(sed -n '/^<!-- lintian tags explained -->/,/^<!-- end -->/s/^- `\([a-z0-9-]*\)`.*/\1/p' "$source_dir/README.md")
  for tag in $tags; do
    grep -qx "$tag" <<<"$explained" || fail "lintian reports $tag, which the README does not explain:
$(grep ": $tag" <<<"$report")"
  done
  echo "package: lintian: ${tags:+$(echo $tags) (each explained in the README)}${tags:-no tag}"
else
  echo "package: lintian not installed: the package was not linted" >&2
fi
