#!/usr/bin/env bash
# The `agentvisor hook claude` contract (docs/CLI.md, docs/PROTOCOL.md
# "Claude Code hooks"): hook input on stdin, the hook answer on stdout; exit
# 0 with a decided answer, exit 2 with a deny for every failure to decide
# (bad input, usage errors, an unusable audit log, a daemon that answers
# badly or not at all, the deadline); decisions and PostToolUse results
# recorded in the audit log; the daemon's answer used when one listens,
# the in-process decision when none does. Harmful commands live in files
# under tests/claude/inputs/ and only ever reach the analyzer.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
IN=$SRC/tests/claude/inputs
export HOME=/home/tester
export AGENTVISOR_STATE="$tmp/state"
# Never reach a daemon someone else runs on this machine.
export AGENTVISOR_SOCKET="$tmp/no-daemon.sock"
unset AGENTVISOR_WORKSPACE CLAUDE_PROJECT_DIR
cd "$tmp"

# One hook call: NAME WANT-STATUS JSON [OPTIONS...]
hook() {
  local name=$1 want=$2 json=$3
  shift 3
  printf '%s' "$json" >"$tmp/in.json"
  expect_status "$name" "$want" "$AV" hook claude "$@" <"$tmp/in.json"
}

# The answer on stdout must be exactly one JSON object of Claude's shape.
answer_is() { # NAME DECISION
  if python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
h = o["hookSpecificOutput"]
assert h["hookEventName"] == "PreToolUse", h
assert h["permissionDecision"] == sys.argv[2], h
assert h["permissionDecisionReason"].startswith("agentvisor: "), h
' "$tmp/out" "$2" 2>"$tmp/pyerr"; then pass=$((pass + 1)); else
    echo "FAIL $1: answer is not $2"; sed 's/^/  | /' "$tmp/out" "$tmp/pyerr" | head; fails=$((fails + 1)); fi
}

common='"session_id":"s-1","transcript_path":"/home/tester/.claude/t.jsonl","cwd":"/home/tester/project","permission_mode":"default"'
pre() { # TOOL INPUT-JSON [ID]
  printf '{%s,"hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s,"tool_use_id":"%s"}' \
    "$common" "$1" "$2" "${3:-toolu_x}"
}

# ---- decisions ------------------------------------------------------------
hook allow 0 "$(pre Bash '{"command":"git status","description":"Show status"}' toolu_ok)"
answer_is allow allow
expect_grep allow-reason 'no rule matched' "$tmp/out"

for f in pre_bash_rm_home pre_bash_bashrc pre_write_bashrc pre_read_ssh_key; do
  expect_status "$f" 0 "$AV" hook claude <"$IN/$f.json"
  answer_is "$f-deny" deny
done
expect_status rm-home-rule 0 "$AV" hook claude <"$IN/pre_bash_rm_home.json"
expect_grep rm-home-rule-named 'fs\.delete\.root-or-home: deletes /home/tester' "$tmp/out"
expect_status write-rc-rule 0 "$AV" hook claude <"$IN/pre_write_bashrc.json"
expect_grep write-rc-rule-named 'persist\.' "$tmp/out"

# Inputs captured from the real Claude Code 2.1.330 (tests/claude/run_e2e.sh).
expect_status real-pre 0 "$AV" hook claude <"$IN/real-2.1.330-pre-bash.json"
answer_is real-pre allow
expect_status real-pre-harmful 0 "$AV" hook claude <"$IN/real-2.1.330-pre-bash-bashrc.json"
answer_is real-pre-harmful deny
expect_status real-post 0 "$AV" hook claude <"$IN/real-2.1.330-post-bash.json"
expect_grep real-post-empty '^\{\}$' "$tmp/out"

hook read-ok 0 "$(pre Read '{"file_path":"/home/tester/project/README.md"}')"
answer_is read-ok allow
hook webfetch 0 "$(pre WebFetch '{"url":"http://169.254.169.254/latest/meta-data/","prompt":"x"}')"
answer_is webfetch-metadata deny
hook todo 0 "$(pre TodoWrite '{"todos":[]}')"
answer_is todo-internal allow
hook unknown 0 "$(pre CronCreate '{"schedule":"* * * * *","prompt":"x"}')"
answer_is unknown-asks ask
expect_grep unknown-rule 'claude\.unknown-tool' "$tmp/out"
# Unknown tools are decided by the policy: a project maps one, and it runs;
# arguments that name a secret are judged like any MCP call's.
printf 'version: 1\nlists:\n  mcp_tools:\n    - "claude-code/CronCreate none"\n' >"$tmp/map.yaml"
hook unknown-mapped 0 "$(pre CronCreate '{"schedule":"* * * * *","prompt":"x"}')" --policy "$tmp/map.yaml"
answer_is unknown-mapped allow
hook unknown-secret 0 "$(pre Inspect '{"path":"/home/tester/.ssh/id_ed25519"}')"
answer_is unknown-secret deny
hook mcp 0 "$(pre mcp__github__list_issues '{"repo":"acme/app"}')"
expect_grep mcp-answer '"permissionDecision":"(allow|ask|deny)"' "$tmp/out"

# A subagent's call is its own session under the parent.
printf '{%s,"agent_id":"ag-7","agent_type":"Explore","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"toolu_sub"}' \
  "$common" >"$tmp/sub.json"
expect_status subagent 0 "$AV" hook claude <"$tmp/sub.json"

# ---- PostToolUse: a result record linked by tool_use_id -------------------
printf '{%s,"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"git status"},"tool_response":{"stdout":"clean","stderr":"","interrupted":false,"isImage":false},"tool_use_id":"toolu_ok","duration_ms":31}' \
  "$common" >"$tmp/post.json"
expect_status post 0 "$AV" hook claude <"$tmp/post.json"
expect_grep post-empty '^\{\}$' "$tmp/out"
printf '{%s,"hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"false"},"tool_use_id":"toolu_fail","error":"Exit code 1"}' \
  "$common" >"$tmp/fail.json"
expect_status post-failure 0 "$AV" hook claude <"$tmp/fail.json"

expect_status export 0 "$AV" audit export
expect_grep export-decision '"type":"decision".*"id":"toolu_ok".*"session":"s-1".*"tool":"Bash"' "$tmp/out"
expect_grep export-result '"type":"result".*"id":"toolu_ok".*"exit":0.*"duration_ms":31' "$tmp/out"
expect_grep export-failure '"type":"result".*"id":"toolu_fail".*"exit":1' "$tmp/out"
expect_grep export-subagent '"session":"s-1/ag-7"' "$tmp/out"
expect_grep export-unknown '"id":"toolu_x".*claude\.unknown-tool' "$tmp/out"
expect_status verify 0 "$AV" audit verify

# ---- failures: exit 2 with a deny ------------------------------------------
fails_closed() { # NAME PATTERN-IN-STDERR (after a call)
  answer_is "$1-deny" deny
  expect_grep "$1-why" "$2" "$tmp/err"
}
hook bad-json 2 '{"session_id":'
fails_closed bad-json 'byte'
hook empty 2 ''
fails_closed empty 'byte 0'
hook not-object 2 '[1]'
fails_closed not-object 'object'
hook unknown-field 2 "$(pre Bash '{"command":"ls"}' | sed 's/}$/,"surprise":true}/')"
fails_closed unknown-field 'surprise'
hook unknown-input 2 "$(pre Bash '{"command":"ls","as_root":true}')"
fails_closed unknown-input 'tool_input\.as_root'
hook missing-command 2 "$(pre Bash '{"description":"x"}')"
fails_closed missing-command 'tool_input\.command'
hook relative-cwd 2 '{"session_id":"s","cwd":"project","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}'
fails_closed relative-cwd 'cwd'
hook other-event 2 '{"session_id":"s","cwd":"/x","hook_event_name":"Stop","stop_hook_active":false}'
fails_closed other-event 'hook_event_name'
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/big.json"
expect_status oversized 2 "$AV" hook claude <"$tmp/big.json"
fails_closed oversized 'larger than|limit'
# A failed PostToolUse is not shaped as a PreToolUse answer.
expect_status post-bad 2 "$AV" hook claude <<<'{"hook_event_name":"PostToolUse","session_id":"s","cwd":"/x","tool_name":"Bash","tool_input":{},"tool_response":{}}'
expect_grep post-bad-shape '"decision":"block"' "$tmp/out"

# Usage errors must not let the tool through either (64 would).
printf '%s' "$(pre Bash '{"command":"ls"}')" >"$tmp/in.json"
expect_status usage-option 2 "$AV" hook claude --bogus <"$tmp/in.json"
answer_is usage-option-deny deny
expect_status usage-bad-value 2 "$AV" hook claude --daemon-timeout soon <"$tmp/in.json"
expect_status usage-no-hook 2 "$AV" hook <"$tmp/in.json"
expect_status usage-other-hook 2 "$AV" hook cursor <"$tmp/in.json"
answer_is usage-other-hook-deny deny
expect_status help 0 "$AV" hook claude --help
expect_grep help-text 'permissionDecision|allow and warn' "$tmp/out"

# An audit log that cannot be written: nothing is allowed unrecorded.
touch "$tmp/not-a-dir"
AGENTVISOR_STATE="$tmp/not-a-dir/state" expect_status no-audit 2 "$AV" hook claude <"$tmp/in.json"
fails_closed no-audit '.'
# A policy that does not load.
printf 'rules: [' >"$tmp/bad.yaml"
expect_status bad-policy 2 "$AV" hook claude --policy "$tmp/bad.yaml" <"$tmp/in.json"
fails_closed bad-policy 'policy'

# ---- the daemon path ----------------------------------------------------------
# No socket file, and a stale socket nobody listens on: decided in process.
expect_status no-socket 0 "$AV" hook claude <"$tmp/in.json"
answer_is no-socket allow
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$tmp/stale.sock"
AGENTVISOR_SOCKET="$tmp/stale.sock" expect_status stale-socket 0 "$AV" hook claude <"$tmp/in.json"
answer_is stale-socket allow

fake_pid=
start_fake() { # MODE
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -f "$tmp/d.sock"
  python3 "$SRC/tests/claude/fake_daemon.py" "$tmp/d.sock" "$1" &
  fake_pid=$!
  for _ in $(seq 100); do [ -S "$tmp/d.sock" ] && break; sleep 0.05; done
}
trap '[ -n "$fake_pid" ] && kill $fake_pid 2>/dev/null; rm -rf "$tmp"' EXIT
export AGENTVISOR_SOCKET="$tmp/d.sock"

start_fake allow
expect_status daemon-allow 0 "$AV" hook claude <"$tmp/in.json"
expect_grep daemon-answer-used 'fake-daemon: allow' "$tmp/out"
expect_grep daemon-got-body '^/v1/hooks/claude \{"session_id":"s-1"' "$tmp/d.sock.requests"
# --no-daemon and --socket choose.
expect_status no-daemon 0 "$AV" hook claude --no-daemon <"$tmp/in.json"
expect_no_grep no-daemon-local 'fake-daemon' "$tmp/out"
AGENTVISOR_SOCKET=/nonexistent expect_status socket-option 0 "$AV" hook claude --socket "$tmp/d.sock" <"$tmp/in.json"
expect_grep socket-option-used 'fake-daemon' "$tmp/out"

for mode in http500 garbage wrongevt; do
  start_fake "$mode"
  expect_status "daemon-$mode" 2 "$AV" hook claude <"$tmp/in.json"
  fails_closed "daemon-$mode" 'daemon'
done
start_fake hang
expect_status daemon-timeout 2 "$AV" hook claude --daemon-timeout 300 <"$tmp/in.json"
fails_closed daemon-timeout 'did not answer'
# The whole-hook deadline catches what the daemon timeout does not.
expect_status deadline 2 "$AV" hook claude --daemon-timeout 10000 --timeout 1 <"$tmp/in.json"
answer_is deadline-deny deny
expect_grep deadline-why 'crash or deadline' "$tmp/err"

# ---- the real daemon: same answers, recorded in the daemon's log -------------
kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fake_pid=
"$AV" serve --socket "$tmp/av.sock" --state "$tmp/dstate" >"$tmp/serve.log" 2>&1 &
fake_pid=$!
for _ in $(seq 200); do [ -S "$tmp/av.sock" ] && break; sleep 0.05; done
export AGENTVISOR_SOCKET="$tmp/av.sock"
before=$(ls "$tmp/state/audit" 2>/dev/null | wc -l)
expect_status serve-allow 0 "$AV" hook claude <"$tmp/in.json"
answer_is serve-allow allow
expect_grep serve-one-line '^\{.*\}$' "$tmp/out"
expect_status serve-deny 0 "$AV" hook claude <"$IN/pre_bash_rm_home.json"
answer_is serve-deny deny
expect_grep serve-rule 'fs\.delete\.root-or-home' "$tmp/out"
expect_status serve-bad 0 "$AV" hook claude <<<'{"hook_event_name":"PreToolUse"}'
answer_is serve-bad-deny deny
expect_status serve-post 0 "$AV" hook claude <"$tmp/post.json"
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=
AGENTVISOR_STATE="$tmp/dstate" expect_status serve-export 0 "$AV" audit export
expect_grep serve-recorded '"type":"decision".*"id":"toolu_RmHome|"type":"decision".*"id":"toolu_01RmHome"' "$tmp/out"
expect_grep serve-caller '"caller":\{"transport":"unix"' "$tmp/out"
expect_grep serve-result '"type":"result".*"id":"toolu_ok"' "$tmp/out"

echo "hook_claude: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
