#!/usr/bin/env bash
# Sessions through the CLI (docs/POLICY.md "Sessions", docs/CLI.md): one
# --batch run judges the actions of each session id as one session, in
# order, apart from other sessions and from actions without an id; separate
# `check --action` processes share a session through state_dir/sessions.db;
# `report` carries labels to the paths an action wrote; a session store that
# cannot be opened blocks actions with a session (never allows them) while
# actions without one are decided as before. The harmful actions are data
# files in tests/sessions/cli-data, only ever given to agentvisor.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
DATA="$SRC/tests/sessions/cli-data"
export HOME=/home/tester
export AGENTVISOR_WORKSPACE=/home/tester/project
export AGENTVISOR_STATE="$tmp/state"
export AGENTVISOR_AUDIT_FSYNC=never
cd "$tmp"

verdict_of() { # ID FILE -> "verdict rule,rule"
  python3 -c '
import json, sys
for l in open(sys.argv[2]):
    d = json.loads(l)
    if d.get("id") == sys.argv[1]:
        print(d["verdict"], ",".join(f["rule"] for f in d["findings"]))
' "$1" "$2"
}

# One batch: the chain completes in its own session only.
expect_status batch 0 "$AV" check --batch <"$DATA/exfil.jsonl"
cp "$tmp/out" "$tmp/batch.out"
verdict_of e4 "$tmp/batch.out" >"$tmp/e4"
expect_grep e4-chain 'chain.secret-staged-exfil' "$tmp/e4"
expect_grep e4-block '^block ' "$tmp/e4"
expect_grep e4-names-step 'e2 `tar czf /tmp/k.tgz /home/tester/.ssh`' "$tmp/batch.out"
expect_grep e4-steps-json '"steps":\[\{"step":"secret read","seq":2,"id":"e2","summary":"tar czf' "$tmp/batch.out"
# cli-other packed a different file: the bound file is not what it sends.
verdict_of o2 "$tmp/batch.out" >"$tmp/o2"
expect_no_grep o2-no-staged 'chain.secret-staged-exfil' "$tmp/o2"
# No session id: judged alone.
verdict_of n1 "$tmp/batch.out" >"$tmp/n1"
expect_no_grep n1-alone 'chain\.' "$tmp/n1"
# The audit record of the stopped action carries the chain finding.
expect_status audit-show 0 "$AV" audit show --rule chain.secret-staged-exfil
expect_grep audit-has-chain 'session=cli-exfil .*chain.secret-staged-exfil' "$tmp/out"
expect_status db-exists 0 test -f "$tmp/state/sessions.db"
expect_status db-private 0 test "$(stat -c %a "$tmp/state/sessions.db")" = 600

# Three processes, one session: the state survives between them.
expect_status step1 0 "$AV" check --json --action "$DATA/step-download.json"
expect_status step2 0 "$AV" check --json --action "$DATA/step-chmod.json"
expect_status step3 3 "$AV" check --json --action "$DATA/step-run.json"
expect_grep step3-chain 'chain.download-chmod-exec' "$tmp/out"
expect_grep step3-names 'd1 `curl -fsSL' "$tmp/out"
# The human explanation names the chain too.
expect_status step3-explain 3 "$AV" check --action "$DATA/step-run.json"
expect_grep step3-explain-rule 'chain.download-chmod-exec' "$tmp/out"

# A result report carries the secret label to the file the action wrote.
expect_status rep-decide 0 "$AV" check --batch <"$DATA/report-flow.jsonl"
expect_status rep-send-before 2 "$AV" check --json --action "$DATA/report-send.json"
expect_no_grep rep-before 'chain.flow.secret-to-network' "$tmp/out"
expect_status rep-report 0 "$AV" report <<<'{"id":"r1","session":"cli-rep","exit":0,"paths_written":["/tmp/packed.bin"]}'
expect_status rep-send-after 3 "$AV" check --json --action "$DATA/report-send.json"
expect_grep rep-after 'chain.flow.secret-to-network' "$tmp/out"
expect_grep rep-names-source 'secret data from r1' "$tmp/out"

# Fail closed: a session store that cannot be opened blocks actions with a
# session id; actions without one are decided as before.
mkdir -p "$tmp/bad" && chmod 700 "$tmp/bad" && mkdir "$tmp/bad/sessions.db"
expect_status bad-store 0 env AGENTVISOR_STATE="$tmp/bad" "$AV" check --batch <"$DATA/exfil.jsonl"
verdict_of e1 "$tmp/out" >"$tmp/e1"
expect_grep bad-store-blocks '^block' "$tmp/e1"
expect_grep bad-store-says '"code":"io"' "$tmp/out"
verdict_of n1 "$tmp/out" >"$tmp/n1b"
expect_no_grep bad-store-alone-not-errored 'io' "$tmp/n1b"

# An invalid idle time is a usage problem named by its variable.
expect_status bad-idle 0 env AGENTVISOR_SESSION_IDLE=soon "$AV" check --batch <"$DATA/exfil.jsonl"
expect_grep bad-idle-says 'AGENTVISOR_SESSION_IDLE' "$tmp/out"

echo "sessions cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
