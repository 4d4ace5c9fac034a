#!/usr/bin/env bash
# The review page end to end in headless Chromium (tests/web/review_page.mjs).
# Installs playwright-core exactly as locked (npm ci into tests/web/node_modules)
# and drives Debian's /usr/bin/chromium. A missing chromium, node or npm is a
# failure, not a skip: the page is part of what ships.
# usage: run.sh AGENTVISOR_BINARY [SCREENSHOT.png]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm /usr/bin/chromium; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool is missing (scripts/install-deps.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
  fi
done
cd "$here"
# Builds of one checkout share tests/web/node_modules: one run at a time
# (npm ci removes the directory before it installs).
exec 9>"${TMPDIR:-/tmp}/agentvisor-web-test.lock"
flock 9
# npm ci is quick when the cache has the locked version; it never updates it.
npmlog=$(mktemp)
trap 'rm -f "$npmlog"' EXIT
if ! npm ci --no-audit --no-fund --loglevel=error >"$npmlog" 2>&1; then
  cat "$npmlog"
  echo "FAIL: npm ci"
  echo "0 passed, 1 failed"
  exit 1
fi
node "$here/review_page.mjs" "$@"
