#!/usr/bin/env bash
# Installs the Debian packages mratls builds and tests with, plus any named as arguments
# (scripts/fuzz.sh adds clang). Idempotent and quiet: it runs apt-get only when one is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libasio-dev libssl-dev openssl libspdlog-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libcli11-dev nlohmann-json3-dev node-llhttp libarchive-dev zlib1g-dev curl
  # Packet captures in mratls scan (libpcap), and the tests that make them on loopback.
  libpcap-dev tcpdump
  # The admin page's browser test (tests/browser): headless Chromium through Selenium.
  chromium chromium-driver python3-selenium
  # The package and its check (scripts/package_check.sh): man pages from --help, man to read
  # them, lintian, and systemd-analyze for the unit.
  help2man man-db lintian systemd
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
