#!/usr/bin/env bash
# The `agentvisor check` contract (docs/CLI.md): exit statuses, --json,
# --action, --batch one-verdict-per-line, usage errors, --policy layering.
# Only `check` is run: it analyzes the text and never executes it.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
export HOME=/home/tester
export AGENTVISOR_WORKSPACE=/home/tester/project AGENTVISOR_STATE="$tmp/state"
cd "$tmp"

# Exit statuses are the verdict's strength.
expect_status allow 0 "$AV" check 'git status'
expect_grep allow-explains '^ALLOW' "$tmp/out"
expect_status block 3 "$AV" check 'cat ~/.ssh/id_rsa'
expect_grep block-explains '^BLOCK' "$tmp/out"
expect_grep block-names-rule 'fs.read.secret' "$tmp/out"
expect_status review 2 "$AV" check 'sudo apt-get install -y jq'
expect_status warn 1 "$AV" check 'chmod 777 build/out.log'

# --json is one valid verdict object with the documented fields.
expect_status json 3 "$AV" check --json 'cat ~/.aws/credentials'
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
v = json.loads(lines[0])
for k in ("id", "verdict", "risk", "findings", "commands", "effects", "policy"):
    assert k in v, k
assert v["verdict"] == "block" and v["risk"] in ("high", "critical")
assert v["commands"][0]["argv"] == ["cat", "/home/tester/.aws/credentials"] or \
       v["commands"][0]["argv"][0] == "cat"
assert any(e["kind"] == "fs.read" and e["path"] == "/home/tester/.aws/credentials"
           and e["class"] == "secret" for e in v["effects"]), v["effects"]
f = v["findings"][0]
assert set(f) >= {"rule", "verdict", "risk", "reason"}, f
assert len(v["policy"]) == 64
PY

# --action FILE and stdin.
printf '%s' '{"id":"a1","kind":"file","input":{"op":"read","path":"/home/tester/.ssh/id_ed25519"}}' >"$tmp/a.json"
expect_status action-file 3 "$AV" check --json --action "$tmp/a.json"
expect_grep action-id '"id":"a1"' "$tmp/out"
expect_status action-stdin 0 "$AV" check --action - <<<'{"kind":"file","input":{"op":"read","path":"README.md"}}'
expect_status action-missing 66 "$AV" check --action "$tmp/nope.json"
expect_status action-bad-json 65 "$AV" check --json --action - <<<'{"kind":'
expect_grep action-bad-json-verdict '"verdict":"block"' "$tmp/out"
expect_grep action-bad-json-error '"error":\{"code":"json"' "$tmp/out"
expect_status action-unknown-field 65 "$AV" check --action - <<<'{"kind":"shell","input":{"command":"ls"},"sudo":true}'
expect_grep action-unknown-field-msg 'unknown field "sudo"' "$tmp/err"

# Usage errors.
expect_status no-mode 64 "$AV" check
expect_status two-modes 64 "$AV" check --batch 'ls'
expect_status two-operands 64 "$AV" check ls -la
expect_status bad-option 64 "$AV" check --frobnicate 'ls'
expect_status unknown-command 64 "$AV" frobnicate
expect_status help 0 "$AV" check --help
expect_grep help-text 'usage: agentvisor check' "$tmp/out"
expect_status top-help 0 "$AV" --help
expect_status version 0 "$AV" --version

# --batch: one line out per line in, in order, malformed lines included.
{
  echo '{"id":"1","kind":"shell","input":{"command":"ls"}}'
  echo 'this is not json'
  echo ''
  echo '{"id":"4","kind":"shell","input":{"command":"cat ~/.ssh/id_rsa"}}'
  echo '{"id":"5","kind":"mystery","input":{}}'
  printf '%s\n' '{"id":"6","kind":"file","input":{"op":"list","path":"src"}}'
} >"$tmp/batch.jsonl"
expect_status batch 0 "$AV" check --batch <"$tmp/batch.jsonl"
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
out = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(out) == 6, len(out)
assert [o["id"] for o in out] == ["1", None, None, "4", "5", "6"], [o["id"] for o in out]
assert out[0]["verdict"] == "allow"
assert out[1]["verdict"] == "block" and out[1]["error"]["code"] == "json"
assert out[2]["verdict"] == "block" and out[2]["error"]["code"] == "json"
assert out[3]["verdict"] == "block" and "error" not in out[3]
assert out[4]["verdict"] == "block" and out[4]["error"]["where"] == "kind"
assert out[5]["verdict"] == "allow"
PY

# An oversized line is answered and does not swallow the next one.
python3 -c 'import sys; sys.stdout.write("{\"id\":\"big\",\"kind\":\"shell\",\"input\":{\"command\":\"" + "a"*(5<<20) + "\"}}\n{\"id\":\"after\",\"kind\":\"shell\",\"input\":{\"command\":\"ls\"}}\n")' >"$tmp/big.jsonl"
expect_status batch-oversized 0 "$AV" check --batch <"$tmp/big.jsonl"
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
out = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(out) == 2 and out[0]["error"]["code"] == "limit" and out[0]["verdict"] == "block"
assert out[1]["id"] == "after" and out[1]["verdict"] == "allow"
PY

# 100,000 lines in one process.
python3 -c '
import json
for i in range(100000):
    print(json.dumps({"id": str(i), "kind": "shell", "input": {"command": "git diff --stat" if i % 2 else "rm -rf build"}}))
' >"$tmp/many.jsonl"
expect_status batch-100k 0 "$AV" check --batch <"$tmp/many.jsonl"
n=$(wc -l <"$tmp/out")
if [ "$n" -eq 100000 ] && [ "$(tail -n1 "$tmp/out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = 99999 ]; then
  pass=$((pass + 1)); else echo "FAIL batch-100k: $n lines"; fails=$((fails + 1)); fi

# Policy layering: a project layer adds a rule; --no-default-policy drops the built-in.
cat >"$tmp/p.yaml" <<'YAML'
version: 1
rules:
  - id: project.no-npm-publish
    on: proc.exec
    when: 'argv0 == "npm" and "publish" in argv'
    verdict: block
    risk: medium
    reason: "this project is published by CI only"
YAML
expect_status layer-adds 3 "$AV" check --policy "$tmp/p.yaml" 'npm publish'
expect_grep layer-rule 'project.no-npm-publish' "$tmp/out"
expect_status layer-other 0 "$AV" check --policy "$tmp/p.yaml" 'npm test'
expect_status no-default 0 "$AV" check --no-default-policy 'cat ~/.ssh/id_rsa'
printf 'version: 1\nrules:\n  - id: x\n    on: fs.read\n    verdikt: block\n' >"$tmp/bad.yaml"
expect_status bad-policy 65 "$AV" check --policy "$tmp/bad.yaml" 'ls'
expect_grep bad-policy-where 'bad.yaml:5:' "$tmp/err"
expect_status missing-policy 66 "$AV" check --policy "$tmp/none.yaml" 'ls'

echo "cli check: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
