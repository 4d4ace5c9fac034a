#!/usr/bin/env bash
# The `agentvisor report` contract (docs/PROTOCOL.md "Result report",
# docs/CLI.md): a result is appended as a result record linked to its
# decision by id, shown under that decision, exported and verified; the
# output's digest is computed from --output without storing the output;
# secrets are redacted; malformed reports are rejected naming the field;
# principal filters work from what check records.
set -uo pipefail
AV=$1
source "$(dirname "$0")/lib/harness.sh"
export HOME=/home/tester
export AGENTVISOR_WORKSPACE=/home/tester/project
export AGENTVISOR_STATE="$tmp/state"
cd "$tmp"

report() { # NAME WANT JSON [OPTIONS...]
  local name=$1 want=$2 json=$3
  shift 3
  printf '%s' "$json" >"$tmp/report.json"
  expect_status "$name" "$want" "$AV" report "$@" --file "$tmp/report.json"
}

cat >"$tmp/batch.jsonl" <<'JSONL'
{"id":"r1","session":"s-1","principal":"alice","kind":"shell","input":{"command":"make test"}}
{"id":"r2","session":"s-1","principal":"bob","kind":"shell","input":{"command":"ls"}}
JSONL
expect_status batch 0 "$AV" check --batch <"$tmp/batch.jsonl"

# A report from stdin, and one with the output hashed by agentvisor.
expect_status stdin 0 "$AV" report <<<'{"id":"r1","session":"s-1","principal":"alice","exit":0,"duration_ms":1200}'
expect_grep stdin-seq '^\{"id":"r1","seq":[0-9]+\}$' "$tmp/out"
printf 'all tests passed\n' >"$tmp/output.txt"
sum=$(sha256sum "$tmp/output.txt" | cut -d' ' -f1)
report output 0 '{"id":"r2","exit":1,"paths_written":["/home/tester/project/build/x.o"],"error":"curl -H \"Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345\" failed"}' --output "$tmp/output.txt"
report digest-agrees 0 "{\"id\":\"r2\",\"exit\":0,\"output_digest\":\"sha256:$sum\",\"output_bytes\":17}" --output "$tmp/output.txt"
report digest-differs 65 "{\"id\":\"r2\",\"exit\":0,\"output_digest\":\"sha256:$(printf '0%.0s' {1..64})\"}" --output "$tmp/output.txt"
expect_grep digest-differs-why 'output_digest' "$tmp/err"
report bytes-differ 65 '{"id":"r2","exit":0,"output_bytes":3}' --output "$tmp/output.txt"
expect_grep bytes-differ-why 'output_bytes' "$tmp/err"
report output-missing 66 '{"id":"r2","exit":0}' --output "$tmp/nope.txt"
report orphan 0 '{"id":"never-decided","exit":0}'

# Read back: export has the records, show nests them, verify covers them.
expect_status export 0 "$AV" audit export
expect_grep export-result '"type":"result".*"id":"r1".*"exit":0.*"duration_ms":1200' "$tmp/out"
expect_grep export-digest "\"output_digest\":\"sha256:$sum\",\"output_digest_from\":\"output\",\"output_bytes\":17" "$tmp/out"
expect_grep export-caveats '"type":"decision".*"caveats":\[\]' "$tmp/out"
expect_grep export-redacted '\[REDACTED:bearer-token\]' "$tmp/out"
expect_no_grep export-no-secret 'abcdefghijklmnopqrstuvwxyz012345' "$tmp/out"
expect_no_grep export-no-output 'all tests passed' "$tmp/out"
expect_no_grep export-no-output-log 'all tests passed' <(cat "$tmp"/state/audit/seg-*.log)
expect_status show 0 "$AV" audit show
expect_grep show-nested '^    -> [0-9]+ .* result exit=0 .*duration_ms=1200' "$tmp/out"
expect_grep show-order 'command=make test' "$tmp/out"
expect_grep show-orphan 'result id=never-decided \(no earlier decision' "$tmp/out"
expect_status show-type 0 "$AV" audit show --type result
expect_grep show-type-linked 'result id=r1 decision=[0-9]+ exit=0' "$tmp/out"
expect_status verify 0 "$AV" audit verify --require-sealed
expect_grep verify-ok '^ok: ' "$tmp/out"

# Principal filters come from what check recorded (and the result's own).
expect_status principal 0 "$AV" audit show --principal alice
expect_grep principal-alice 'decision .*principal=alice.*command=make test' "$tmp/out"
expect_no_grep principal-not-bob 'principal=bob' "$tmp/out"
expect_status principal-bob 0 "$AV" audit show --principal bob --json
expect_grep principal-bob-json '"principal":"bob"' "$tmp/out"
expect_no_grep principal-bob-json-alice '"principal":"alice"' "$tmp/out"

# Malformed reports: rejected with the field named, nothing recorded.
before=$("$AV" audit export | wc -l)
report unknown-field 65 '{"id":"r1","exit":0,"exitcode":1}'
expect_grep unknown-field-name 'exitcode: unknown field "exitcode"' "$tmp/err"
report missing-id 65 '{"exit":0}'
expect_grep missing-id-name 'required field "id"' "$tmp/err"
report missing-exit 65 '{"id":"r1"}'
expect_grep missing-exit-name 'required field "exit"' "$tmp/err"
report exit-string 65 '{"id":"r1","exit":"0"}'
expect_grep exit-string-name 'exit: field "exit" must be an integer' "$tmp/err"
report exit-real 65 '{"id":"r1","exit":0.5}'
report bad-digest 65 '{"id":"r1","exit":0,"output_digest":"md5:abc"}'
expect_grep bad-digest-name 'output_digest' "$tmp/err"
report negative-bytes 65 '{"id":"r1","exit":0,"output_bytes":-1}'
report bad-path 65 '{"id":"r1","exit":0,"paths_written":["/a",7]}'
expect_grep bad-path-name 'paths_written\[1\]' "$tmp/err"
report duplicate 65 '{"id":"r1","exit":0,"exit":1}'
report not-object 65 '[1]'
report trailing 65 '{"id":"r1","exit":0} x'
report nested-unknown 65 '{"id":"r1","exit":0,"session":{"a":1}}'
python3 -c 'import json; print(json.dumps({"id":"r1","exit":0,"error":"x"*(1<<20)}))' >"$tmp/big.json"
expect_status too-big 65 "$AV" report --file "$tmp/big.json"
expect_status usage 64 "$AV" report extra
expect_status no-file 66 "$AV" report --file "$tmp/missing.json"
after=$("$AV" audit export | wc -l)
if [ "$before" -eq "$after" ]; then pass=$((pass + 1)); else
  echo "FAIL rejected-not-recorded: $before records before, $after after"; fails=$((fails + 1)); fi

# An unwritable log: the report is not recorded and report says so (74).
chmod 500 "$tmp/state/audit"
chmod 400 "$tmp/state/audit"/seg-*.log
if [ "$(id -u)" -ne 0 ]; then
  report unwritable 74 '{"id":"r1","exit":0}'
fi
chmod 700 "$tmp/state/audit"
chmod 600 "$tmp/state/audit"/seg-*.log

echo "report cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
