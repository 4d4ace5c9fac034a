#!/usr/bin/env bash
# Throughput of `agentvisor check --batch` over N JSON Lines actions
# (default 100000), end to end through the real CLI.
#   bench/batch.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/agentvisor
n=${2:-100000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$n" > "$tmp/in.jsonl" <<'PY'
import json, sys
cmds = ["git status", "ls -la src", "npm test", "rm -rf build", "make -j4",
        "grep -rn TODO src", "git diff --stat", "cat README.md", "pytest -x", "cargo build"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": str(i), "kind": "shell", "input": {"command": cmds[i % len(cmds)]},
                      "context": {"cwd": "/home/dev/project", "workspace": "/home/dev/project", "home": "/home/dev"}}))
PY
start=$(date +%s.%N)
"$bin" check --batch < "$tmp/in.jsonl" > "$tmp/out.jsonl"
end=$(date +%s.%N)
lines=$(wc -l < "$tmp/out.jsonl")
python3 -c "import sys; n,s,e=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'check --batch: {n} verdicts in {e-s:.2f} s = {n/(e-s):.0f} actions/s')" "$lines" "$start" "$end"
[ "$lines" -eq "$n" ] || { echo "expected $n verdict lines, got $lines" >&2; exit 1; }
