#!/usr/bin/env bash
# Rejects functions our C must not use (STYLE.md habit 9): unbounded copies,
# unchecked formatting, non-reentrant tokenizing, shelling out.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|system|popen|alloca'
hits=$(grep -rnE "(^|[^_a-zA-Z0-9])($banned)[[:space:]]*\(" src include fuzz bench tests/unit 2>/dev/null \
       | grep -vE ':[0-9]+:[[:space:]]*(//|/?\*)' || true)
if [ -n "$hits" ]; then
  echo "check-banned: banned functions in use:" >&2
  echo "$hits" >&2
  exit 1
fi
