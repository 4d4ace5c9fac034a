#!/usr/bin/env bash
# Installs every build and test dependency of agentvisor from Debian 12's
# archive. Idempotent: packages already present are not fetched again, and
# apt-get update runs only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libjansson-dev libyaml-dev libpcre2-dev libsodium-dev
  libcmocka-dev python3 clang libclang-rt-14-dev bubblewrap clang-format
  libsqlite3-dev sqlite3 libevent-dev curl
  chromium xxd systemd
)
# systemd: only its systemd-analyze, which checks the units in systemd/.
# The browser test drives Debian's chromium with playwright-core from npm;
# Node.js comes from Debian unless the machine already has a node.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
