#!/usr/bin/env bash
# The daemon's HTTP contract (docs/PROTOCOL.md, "Daemon") over its Unix
# socket: socket mode, health, decide (same verdict JSON as check --json,
# recorded in the audit log with the caller's peer credentials), report,
# audit queries, JSON errors with the field named (400/404/405/413/415),
# SIGHUP reload (a bad policy keeps the old one and logs file:line:col), a
# stale socket replaced, a live one refused, graceful SIGTERM.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
source "$SRC/tests/daemon/lib.sh"
export HOME=/home/tester
cd "$tmp"

printf 'version: 1\nrules:\n  - id: project.no-make-deploy\n    on: proc.exec\n    when: binary == "deploy-tool"\n    verdict: block\n    risk: high\n    reason: deploys are done by CI\n' >"$tmp/project.yaml"
"$AV" policy lint "$tmp/project.yaml" >/dev/null 2>&1 || { echo "FAIL fixture: project.yaml does not lint"; "$AV" policy lint "$tmp/project.yaml"; fails=$((fails + 1)); }
cp "$tmp/project.yaml" "$tmp/live.yaml"

start_daemon --policy "$tmp/live.yaml" || { finish; exit 1; }

# The socket is the caller's only gate: 0600.
mode=$(stat -c %a "$sock")
if [ "$mode" = 600 ]; then pass=$((pass + 1)); else echo "FAIL socket-mode: $mode"; fails=$((fails + 1)); fi

http healthz 200 GET /healthz
json_is healthz-status "$tmp/out" 'j["status"]' ok
digest1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policy"])' "$tmp/out")

# decide: the verdict is the one check --json gives for the same action.
printf '{"id":"a1","session":"s-1","kind":"shell","input":{"command":"ls -la"},"context":{"cwd":"/home/tester/p","workspace":"/home/tester/p"}}' >"$tmp/allow.json"
http decide-allow 200 POST /v1/decide "$tmp/allow.json"
cp "$tmp/out" "$tmp/daemon_verdict.json"
AGENTVISOR_STATE="$tmp/cli-state" "$AV" check --json --policy "$tmp/live.yaml" --action "$tmp/allow.json" >"$tmp/cli_verdict.json"
if cmp -s "$tmp/daemon_verdict.json" "$tmp/cli_verdict.json"; then pass=$((pass + 1)); else
  echo "FAIL decide-same-as-check:"; diff "$tmp/daemon_verdict.json" "$tmp/cli_verdict.json" | head; fails=$((fails + 1)); fi
json_is decide-allow-verdict "$tmp/daemon_verdict.json" 'j["verdict"]+" "+j["id"]' "allow a1"

http decide-block 200 POST /v1/decide "$SRC/tests/daemon/data/block_action.json"
json_is decide-block-verdict "$tmp/out" 'j["verdict"]' block

printf '{"kind":"shell","input":{"command":"deploy-tool prod"}}' >"$tmp/project.json"
http decide-project-rule 200 POST /v1/decide "$tmp/project.json"
json_is project-rule "$tmp/out" '[f["rule"] for f in j["findings"]]' "['project.no-make-deploy']"

# Bad actions: 400 with a block verdict whose error names the field.
printf '{"kind":"shell","input":{"command":"ls"},"colour":"red"}' >"$tmp/unknown.json"
http decide-unknown-field 400 POST /v1/decide "$tmp/unknown.json"
json_is unknown-field "$tmp/out" 'j["verdict"]+" "+j["error"]["code"]+" "+j["error"]["where"]' "block field colour"
printf '{"kind":"shell","input":{"command":"ls"' >"$tmp/truncated.json"
http decide-bad-json 400 POST /v1/decide "$tmp/truncated.json"
json_is bad-json "$tmp/out" 'j["verdict"]+" "+j["error"]["code"]' "block json"
http decide-form 415 POST /v1/decide "$tmp/allow.json" application/x-www-form-urlencoded
json_is form-error "$tmp/out" 'j["error"]["where"]' Content-Type
http decide-get 405 GET /v1/decide
json_is method-error "$tmp/out" 'j["error"]["code"]' method
http nowhere 404 GET /v1/nowhere
json_is notfound-error "$tmp/out" 'j["error"]["code"]' not_found
http bad-wait 400 POST '/v1/decide?wait=soon' "$tmp/allow.json"
json_is bad-wait-field "$tmp/out" 'j["error"]["where"]' wait
head -c $((4 * 1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$tmp/huge.json"
http decide-huge 413 POST /v1/decide "$tmp/huge.json"

# report: the result record, as agentvisor report.
printf '{"id":"a1","session":"s-1","exit":0,"duration_ms":12}' >"$tmp/report.json"
http report 200 POST /v1/report "$tmp/report.json"
json_is report-seq "$tmp/out" 'j["id"]+" "+str(j["seq"]>0)' "a1 True"
printf '{"id":"a1","exitcode":0}' >"$tmp/badreport.json"
http report-bad 400 POST /v1/report "$tmp/badreport.json"
json_is report-bad-field "$tmp/out" 'j["error"]["where"]' exitcode

# The audit log has every decision, with the caller's peer credentials.
http audit 200 GET '/v1/audit?limit=1000'
json_is audit-decisions "$tmp/out" 'len([r for r in j["records"] if r["type"]=="decision"])' 5
json_is audit-caller "$tmp/out" '[r["record"]["caller"]["uid"] for r in j["records"] if r["type"]=="decision"][0]' "$(id -u)"
json_is audit-caller-pid "$tmp/out" '[r["record"]["caller"]["transport"] for r in j["records"] if r["type"]=="decision"][0]' unix
json_is audit-context-home "$tmp/out" '[r["record"]["context"] for r in j["records"] if r["type"]=="decision"][1]["home"]' "$(getent passwd "$(id -u)" | cut -d: -f6)"
http audit-block 200 GET '/v1/audit?verdict=block'
json_is audit-verdict-filter "$tmp/out" 'sorted(set(r["record"]["decision"]["verdict"] for r in j["records"]))' "['block']"
http audit-since 200 GET '/v1/audit?since=3&limit=2'
json_is audit-since-seq "$tmp/out" '[r["seq"] for r in j["records"]]+[j["next"]]' "[3, 4, 5]"
http audit-bad-limit 400 GET '/v1/audit?limit=0'
json_is audit-bad-limit-field "$tmp/out" 'j["error"]["where"]' limit
http audit-unknown 400 GET '/v1/audit?colour=red'

# SIGHUP: a changed policy is picked up; a broken one is refused with
# file:line:col and the old one keeps deciding.
printf '  - id: project.no-ls\n    on: proc.exec\n    when: binary == "ls"\n    verdict: warn\n    risk: low\n    reason: ls is noisy\n' >>"$tmp/live.yaml"
# The reload compiles off the event loop; wait (up to 10 s) for its log line.
wait_log() { # PATTERN COUNT
  for _ in $(seq 200); do
    [ "$(grep -cE -- "$1" "$tmp/daemon.log")" -ge "$2" ] && return 0
    sleep 0.05
  done
}
kill -HUP "$daemon_pid"
wait_log 'policy reloaded' 1
http decide-after-reload 200 POST /v1/decide "$tmp/allow.json"
json_is reloaded "$tmp/out" 'j["verdict"]' warn
printf 'version: 1\nrules:\n  - id: broken\n    on: proc.exec\n    when: binary ==\n    verdict: warn\n    risk: low\n    reason: x\n' >"$tmp/live.yaml"
kill -HUP "$daemon_pid"
wait_log 'policy reload failed' 1
expect_grep reload-error "policy reload failed, keeping the old policy: $tmp/live.yaml:[0-9]+:[0-9]+" "$tmp/daemon.log"
http decide-after-bad-reload 200 POST /v1/decide "$tmp/allow.json"
json_is kept-old-policy "$tmp/out" 'j["verdict"]' warn
http healthz-after 200 GET /healthz
json_is healthz-digest-changed "$tmp/out" 'j["policy"] != "'"$digest1"'"' True

# Sessions: the daemon keeps session state between requests, so the third
# action of a session is judged with the first two (a chain rule fires
# that the action alone does not trigger).
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" >"$tmp/chain$n.json"
  http "session-step-$n" 200 POST /v1/decide "$tmp/chain$n.json"
done <"$SRC/tests/daemon/data/session_chain.jsonl"
json_is session-chain "$tmp/out" '[f["rule"] for f in j["findings"] if f["rule"].startswith("chain.")] != []' True
printf '{"id":"sc-3","session":"s-chain","exit":0}' >"$tmp/chain_report.json"
http session-report 200 POST /v1/report "$tmp/chain_report.json"

# Claude Code's http hook: the same answer as `agentvisor hook claude`.
printf '{"session_id":"c-1","transcript_path":"/tmp/t.jsonl","cwd":"/home/tester/p","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git push --force origin main"},"tool_use_id":"toolu_01"}' >"$tmp/hook.json"
http hook-claude 200 POST /v1/hooks/claude "$tmp/hook.json"
json_is hook-claude-ask "$tmp/out" 'j["hookSpecificOutput"]["permissionDecision"]' ask
printf '{"tool_name":"Bash"}' >"$tmp/badhook.json"
http hook-claude-bad 200 POST /v1/hooks/claude "$tmp/badhook.json"
json_is hook-claude-bad-denies "$tmp/out" 'j["hookSpecificOutput"]["permissionDecision"]' deny

# A second daemon on the same socket is refused; the first keeps serving.
expect_status second-daemon 69 "$AV" serve --policy "$tmp/project.yaml"
expect_grep second-daemon-why 'already serving' "$tmp/err"
http still-serving 200 GET /healthz

stop_daemon
if [ "$daemon_status" = 0 ]; then pass=$((pass + 1)); else echo "FAIL sigterm-status: $daemon_status"; fails=$((fails + 1)); fi
if [ -e "$sock" ]; then echo "FAIL socket-removed"; fails=$((fails + 1)); else pass=$((pass + 1)); fi
expect_status audit-verifies 0 "$AV" audit verify
expect_status audit-show 0 "$AV" audit show --type note
expect_grep note-reload 'policy reloaded' "$tmp/out"
expect_grep note-reload-failed 'policy reload failed' "$tmp/out"

# A stale socket file (no daemon behind it) is replaced.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$sock"
start_daemon && pass=$((pass + 1))
stop_daemon
# Something that is not a socket is never replaced.
echo data >"$sock"
expect_status not-a-socket 69 "$AV" serve
expect_grep not-a-socket-why 'not a socket' "$tmp/err"
rm -f "$sock"
# Startup errors name the file.
printf 'rules: [\n' >"$tmp/bad.yaml"
expect_status bad-policy 65 "$AV" serve --policy "$tmp/bad.yaml"
expect_grep bad-policy-where "$tmp/bad.yaml:[0-9]+:[0-9]+" "$tmp/err"
expect_status relative-socket 64 "$AV" serve --socket rel.sock

# Fail closed: when the audit log cannot be written (here a full disk: a
# 64 KiB file size limit), decisions are 503 block with error io, never
# allow, and the daemon keeps serving.
export AGENTVISOR_STATE="$tmp/small-state"
( trap '' XFSZ; ulimit -f 64; exec "$AV" serve >>"$tmp/daemon.log" 2>&1 ) &
daemon_pid=$!
for _ in $(seq 100); do curl -sf --unix-socket "$sock" http://av/healthz >/dev/null 2>&1 && break; sleep 0.05; done
got503=0
for i in $(seq 200); do
  code=$(curl -s -o "$tmp/out" -w '%{http_code}' --unix-socket "$sock" -H 'Content-Type: application/json' --data-binary "@$tmp/allow.json" http://av/v1/decide)
  if [ "$code" = 503 ]; then got503=1; break; fi
done
if [ "$got503" = 1 ]; then pass=$((pass + 1)); else echo "FAIL full-disk: no 503 after 200 decisions"; fails=$((fails + 1)); fi
json_is full-disk-block "$tmp/out" 'j["verdict"]+" "+j["error"]["code"]' "block io"
expect_grep full-disk-why 'not recorded, so blocked' "$tmp/out"
http full-disk-still-serving 200 GET /healthz
stop_daemon

finish
