#!/usr/bin/env bash
# The systemd units in systemd/ (system and user) load cleanly in systemd's
# own parser: `systemd-analyze verify` reports unknown keys, bad values and
# missing sockets only as warnings with exit 0, so any output is a failure
# here. ExecStart is pointed at the built binary (verify checks that the
# command exists). A unit with a misspelt key must be caught, so the check
# can fail. (The units are not started: there is no systemd as PID 1 on the
# test machines; socket activation itself is exercised in serve_tcp.sh.)
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
cd "$tmp"

if ! command -v systemd-analyze >/dev/null; then
  echo "FAIL systemd-analyze is missing (scripts/install-deps.sh installs systemd)"
  exit 1
fi

verify_clean() { # NAME [--user] UNIT...
  local name=$1
  shift
  XDG_RUNTIME_DIR="$tmp/xdg" SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$@" \
    >"$tmp/out" 2>&1
  local rc=$?
  if [ "$rc" -ne 0 ] || [ -s "$tmp/out" ]; then
    echo "FAIL $name: systemd-analyze exit $rc"; sed 's/^/  | /' "$tmp/out" | head -20
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

mkdir -p system user xdg
chmod 700 xdg
cp "$SRC"/systemd/agentvisor.service "$SRC"/systemd/agentvisor.socket system/
cp "$SRC"/systemd/user/agentvisor.service "$SRC"/systemd/user/agentvisor.socket user/
sed -i "s|^ExecStart=[^ ]*|ExecStart=$AV|" system/agentvisor.service user/agentvisor.service
expect_grep exec-rewritten "^ExecStart=$AV serve" system/agentvisor.service

verify_clean system-units system/agentvisor.service system/agentvisor.socket
verify_clean user-units --user user/agentvisor.service user/agentvisor.socket

# The check itself: a misspelt key is reported.
mkdir -p bad
cp system/agentvisor.service system/agentvisor.socket bad/
sed -i 's/^UMask=/UMsk=/' bad/agentvisor.service
XDG_RUNTIME_DIR="$tmp/xdg" systemd-analyze verify bad/agentvisor.service \
  bad/agentvisor.socket >"$tmp/bad.out" 2>&1
expect_grep misspelt-key-caught "Unknown key 'UMsk'" "$tmp/bad.out"

# What the units promise about the daemon's files and reload.
expect_grep system-state-0700 '^StateDirectoryMode=0700' system/agentvisor.service
expect_grep system-reload-hup '^ExecReload=.*-HUP' system/agentvisor.service
expect_grep socket-0600 '^SocketMode=0600' system/agentvisor.socket

echo "cli systemd_units: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
