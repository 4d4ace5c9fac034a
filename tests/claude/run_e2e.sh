#!/usr/bin/env bash
# run_e2e.sh - `agentvisor hook claude` with the REAL Claude Code client
# (the version pinned in package.json / package-lock.json, installed with
# npm ci) driven by a fake Anthropic Messages API on loopback. The runs:
#
#   benign   the model asks Bash for a harmless write into the workspace:
#            the hook allows it and the file appears (proof that tools
#            really run in this harness, so the next check means something);
#   harmful  the model asks Bash to append a download-and-run line to
#            ~/.bashrc (tests/claude/e2e_harmful_command.txt): the hook
#            denies it, ~/.bashrc never gets the line, the audit log holds
#            the block, and the model is told why;
#   missing  the hook's binary does not exist: with "onFailure": "block" in
#            the settings (the README's snippet) even the benign command
#            is blocked;
#   http-*   the same two commands with `agentvisor serve` on loopback TCP
#            as Claude Code's http hook (bearer token from the environment),
#            and the benign one with the daemon down (blocked).
#
# Each run happens in bubblewrap with a read-only root, a throwaway HOME
# and a private network namespace (only loopback), as a second line of
# defence behind the hook. Exits 0 when everything holds, 1 on a failure
# or when Claude Code, npm or bubblewrap cannot be had here.
#
# usage: run_e2e.sh AGENTVISOR SRC
set -uo pipefail
AV=$1 SRC=$2
DIR=$SRC/tests/claude
fails=0 pass=0
# Like the review page's browser test, this fails rather than skips when its
# tools are missing: a skipped security test reads as a passed one.
skip() { echo "claude.e2e: cannot run: $*"; exit 1; }
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

command -v bwrap >/dev/null || skip "bwrap is not installed"
command -v npm >/dev/null || skip "npm is not installed"

# npm ci when the pinned lock file changed since the last install (a full
# install is ~370 MB; the stamp avoids redoing it on every test run).
if ! cmp -s "$DIR/package-lock.json" "$DIR/node_modules/.agentvisor-lock" 2>/dev/null; then
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) >"${TMPDIR:-/tmp}/claude-e2e-npm.log" 2>&1 ||
    skip "npm ci failed (no registry?): $(tail -3 "${TMPDIR:-/tmp}/claude-e2e-npm.log")"
  cp "$DIR/package-lock.json" "$DIR/node_modules/.agentvisor-lock"
fi
# The native binary of the platform package, whether or not the wrapper's
# postinstall linked it into bin/.
CLAUDE=$DIR/node_modules/@anthropic-ai/claude-code-linux-x64/claude
[ -x "$CLAUDE" ] || skip "no Claude Code binary for this platform in node_modules"
"$CLAUDE" --version >/dev/null 2>&1 || skip "the Claude Code binary does not run here"

tmp=$(mktemp -d)
# CLAUDE_E2E_KEEP=1 keeps the runs (homes, logs, Claude's output) to look at.
if [ -n "${CLAUDE_E2E_KEEP:-}" ]; then echo "claude.e2e: runs kept in $tmp"; else
  trap 'rm -rf "$tmp"' EXIT; fi
AV_ABS=$(readlink -f "$AV")
SRC_ABS=$(readlink -f "$SRC")

run() { # NAME COMMAND_FILE [AGENTVISOR [MODE]]
  local out=$tmp/$1 av=${3:-$AV_ABS} mode=${4:-command}
  mkdir -p "$out/home" "$out/work"
  printf '# the throwaway ~/.bashrc\n' >"$out/home/.bashrc"
  # The source tree and the binaries are bound again after the fresh /tmp,
  # so the test also runs from a checkout or build directory under /tmp.
  bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp \
    --ro-bind "$SRC_ABS" "$SRC_ABS" --ro-bind "$(dirname "$AV_ABS")" "$(dirname "$AV_ABS")" \
    --ro-bind-try "$(dirname "$av")" "$(dirname "$av")" \
    --bind "$out" "$out" \
    --unshare-net --unshare-pid --unshare-ipc --unshare-uts --die-with-parent \
    --new-session \
    --setenv HOME "$out/home" --setenv XDG_STATE_HOME "$out/home/.local/state" \
    --unsetenv AGENTVISOR_STATE --unsetenv AGENTVISOR_SOCKET \
    --unsetenv AGENTVISOR_WORKSPACE --unsetenv XDG_RUNTIME_DIR \
    --unsetenv ANTHROPIC_AUTH_TOKEN --unsetenv CLAUDE_CODE_USE_BEDROCK \
    --unsetenv CLAUDE_CODE_USE_VERTEX \
    --setenv AGENTVISOR_SOCKET "$out/no-daemon.sock" \
    bash "$DIR/e2e_inner.sh" "$CLAUDE" "$av" "$SRC" "$2" "$out" "$mode"
  echo "== $1: claude exit $(cat "$out/claude.rc" 2>/dev/null)"
}

audit() { # NAME: the run's audit log as JSON Lines (a file: grep -q on a
  # pipe would cut the export short, and pipefail would count that)
  HOME=$tmp/$1/home AGENTVISOR_STATE=$tmp/$1/home/.local/state/agentvisor \
    "$AV" audit export >"$tmp/$1/audit.jsonl" 2>&1
  cat "$tmp/$1/audit.jsonl"
}

dump() { # NAME: what to look at when something failed
  for f in claude.out claude.err api.jsonl api.err; do
    echo "--- $1/$f"; head -c 3000 "$tmp/$1/$f" 2>/dev/null; echo
  done
}

# ---- benign: allowed and really run ------------------------------------------
run benign "$DIR/e2e_benign_command.txt"
if grep -q '"answer": "tool_use"' "$tmp/benign/api.jsonl" 2>/dev/null; then ok; else
  bad "benign: Claude Code never asked the fake API for a turn with the Bash tool"
  dump benign
  # Nothing ran at all: this client cannot be driven here.
  [ "$fails" -gt 0 ] && [ ! -s "$tmp/benign/api.jsonl" ] &&
    skip "Claude Code made no request to the fake API (see above)"
fi
if [ -f "$tmp/benign/work/e2e-benign-marker.txt" ]; then ok; else
  bad "benign: the allowed command did not run (no marker file)"; dump benign; fi
audit benign >/dev/null
if grep -q '"type":"decision".*"tool":"Bash".*"verdict":"allow"' "$tmp/benign/audit.jsonl"; then ok; else
  bad "benign: no allow decision for Bash in the audit log"; head -5 "$tmp/benign/audit.jsonl"; fi
audit benign >/dev/null
if grep -q '"type":"result".*"id":"toolu_e2e_0001"' "$tmp/benign/audit.jsonl"; then ok; else
  bad "benign: the PostToolUse result is not in the audit log"; fi

# ---- harmful: denied, never run ------------------------------------------------
run harmful "$DIR/e2e_harmful_command.txt"
if grep -q '"answer": "tool_use"' "$tmp/harmful/api.jsonl" 2>/dev/null; then ok; else
  bad "harmful: the fake API never sent the tool call"; dump harmful; fi
if grep -q 'agentvisor-e2e-marker' "$tmp/harmful/home/.bashrc"; then
  bad "harmful: the command RAN: ~/.bashrc holds the marker"; dump harmful
else ok; fi
audit harmful >/dev/null
if grep -q '"type":"decision".*"tool":"Bash".*"verdict":"block"' "$tmp/harmful/audit.jsonl"; then ok; else
  bad "harmful: no block decision for Bash in the audit log"; head -5 "$tmp/harmful/audit.jsonl"; fi
# The model was told why (the deny reason comes back as the tool result).
if grep -q '"tool_results": \[{"is_error": true, "content": "[^"]*agentvisor' "$tmp/harmful/api.jsonl"; then ok; else
  bad "harmful: the tool result the model got does not carry agentvisor's reason"
  dump harmful; fi
audit harmful >/dev/null
if grep -q '"type":"result"' "$tmp/harmful/audit.jsonl"; then
  bad "harmful: a PostToolUse result was recorded for a denied call"; else ok; fi

# ---- the settings snippet's "onFailure": "block" -------------------------
# A hook that cannot run at all (the binary is missing) would be a
# non-blocking error, and the tool would run; with onFailure block (the
# README's snippet) Claude Code blocks it instead. Even the benign command
# must not run here.
run missing "$DIR/e2e_benign_command.txt" /nonexistent/agentvisor
if grep -q '"answer": "tool_use"' "$tmp/missing/api.jsonl" 2>/dev/null; then ok; else
  bad "missing: the fake API never sent the tool call"; dump missing; fi
if [ -f "$tmp/missing/work/e2e-benign-marker.txt" ]; then
  bad "missing: the tool ran although its hook could not run"; dump missing
else ok; fi

# ---- the daemon as Claude Code's http hook ---------------------------------
# No process per tool call: Claude Code POSTs the hook input to `agentvisor
# serve` on loopback TCP with the bearer token from the environment.
run http-harmful "$DIR/e2e_harmful_command.txt" "$AV_ABS" http
if grep -q '"answer": "tool_use"' "$tmp/http-harmful/api.jsonl" 2>/dev/null; then ok; else
  bad "http-harmful: the fake API never sent the tool call"; dump http-harmful; fi
if grep -q 'agentvisor-e2e-marker' "$tmp/http-harmful/home/.bashrc"; then
  bad "http-harmful: the command RAN: ~/.bashrc holds the marker"; dump http-harmful
else ok; fi
audit http-harmful >/dev/null
if grep -q '"type":"decision".*"tool":"Bash".*"verdict":"block".*"caller":{"transport":"tcp"' \
  "$tmp/http-harmful/audit.jsonl"; then ok; else
  bad "http-harmful: no block decision from the daemon's TCP listener in the audit log"
  head -c 2000 "$tmp/http-harmful/audit.jsonl"; cat "$tmp/http-harmful/serve.log"; fi
if grep -q '"tool_results": \[{"is_error": true, "content": "[^"]*agentvisor' "$tmp/http-harmful/api.jsonl"; then ok; else
  bad "http-harmful: the model was not told agentvisor's reason"; dump http-harmful; fi
run http-benign "$DIR/e2e_benign_command.txt" "$AV_ABS" http
if [ -f "$tmp/http-benign/work/e2e-benign-marker.txt" ]; then ok; else
  bad "http-benign: the allowed command did not run"; dump http-benign
  cat "$tmp/http-benign/serve.log"; fi

# The http hook with the daemon down: onFailure block stops even the
# benign command (what the README says happens when agentvisor is not
# running).
run http-down "$DIR/e2e_benign_command.txt" "$AV_ABS" http-down
if grep -q '"answer": "tool_use"' "$tmp/http-down/api.jsonl" 2>/dev/null; then ok; else
  bad "http-down: the fake API never sent the tool call"; dump http-down; fi
if [ -f "$tmp/http-down/work/e2e-benign-marker.txt" ]; then
  bad "http-down: the tool ran although the daemon was down"; dump http-down
else ok; fi

echo "claude.e2e: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
