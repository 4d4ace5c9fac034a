#!/usr/bin/env bash
# e2e_inner.sh - one run of the real Claude Code against the fake Messages
# API, inside the bubblewrap sandbox that run_e2e.sh builds (read-only
# root, throwaway HOME, private network with only loopback). Not run on its
# own.
#
# usage: e2e_inner.sh CLAUDE AGENTVISOR SRC COMMAND_FILE OUT_DIR [MODE]
#   MODE command (default): agentvisor hook claude as a command hook
#        http: `agentvisor serve` on loopback TCP as Claude Code's http hook
#        http-down: the same hook with no daemon listening
set -uo pipefail
CLAUDE=$1 AV=$2 SRC=$3 COMMAND_FILE=$4 OUT=$5 MODE=${6:-command}

python3 "$SRC/tests/claude/fake_anthropic.py" "$OUT/port" "$COMMAND_FILE" \
  "$OUT/api.jsonl" 2>"$OUT/api.err" &
api=$!
serve=
trap 'kill $api $serve 2>/dev/null' EXIT
for _ in $(seq 200); do [ -s "$OUT/port" ] && break; sleep 0.05; done
[ -s "$OUT/port" ] || { echo "the fake API did not start" >&2; exit 1; }

# The http hook: the daemon on loopback (this network namespace's own; the
# port cannot clash with anything outside), its token in a 0600 file and in
# the environment Claude Code interpolates into the header.
if [ "$MODE" = http ]; then
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$OUT/token")
  export AGENTVISOR_TOKEN=$(cat "$OUT/token")
  "$AV" serve --socket "$OUT/av.sock" --listen 127.0.0.1:48765 \
    --token-file "$OUT/token" --state "$HOME/.local/state/agentvisor" \
    >"$OUT/serve.log" 2>&1 &
  serve=$!
  for _ in $(seq 200); do [ -S "$OUT/av.sock" ] && break; sleep 0.05; done
fi

# agentvisor as both hooks, from the user settings of the throwaway HOME.
# Bash is allowed by Claude Code's own permissions, so the hook is the only
# thing between the model's command and the shell.
mkdir -p "$HOME/.claude"
python3 - "$AV" "$MODE" >"$HOME/.claude/settings.json" <<'PY'
import json, sys
hook = {"type": "command", "command": sys.argv[1] + " hook claude", "timeout": 30,
        "onFailure": "block"}
if sys.argv[2] in ("http", "http-down"):
    hook = {"type": "http", "url": "http://127.0.0.1:48765/v1/hooks/claude",
            "headers": {"Authorization": "Bearer $AGENTVISOR_TOKEN"},
            "allowedEnvVars": ["AGENTVISOR_TOKEN"], "timeout": 30,
            "onFailure": "block"}
print(json.dumps({
    "permissions": {"allow": ["Bash"]},
    "hooks": {
        "PreToolUse": [{"matcher": "*", "hooks": [hook]}],
        "PostToolUse": [{"matcher": "*", "hooks": [hook]}],
    },
}, indent=2))
PY
cp "$HOME/.claude/settings.json" "$OUT/settings.json"

cd "$OUT/work"
ANTHROPIC_BASE_URL="http://127.0.0.1:$(cat "$OUT/port")" \
ANTHROPIC_API_KEY=sk-ant-api03-e2e-dummy-key \
DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 DISABLE_AUTOUPDATER=1 \
CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_BUG_COMMAND=1 \
  timeout 180 "$CLAUDE" -p "Run the command you were asked to run." \
  --output-format json --max-turns 3 >"$OUT/claude.out" 2>"$OUT/claude.err"
echo $? >"$OUT/claude.rc"
