#!/usr/bin/env bash
# `agentvisor check --action` with the tool kinds beyond the shell
# (docs/PROTOCOL.md): exit status by verdict, the explanation line, the
# re-checked safer command, and field-named errors. Only benign actions
# here; harmful ones live in tests/corpus-kinds and tests/unit/test_kinds.c.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
export HOME=/home/tester
export AGENTVISOR_WORKSPACE=/home/tester/project AGENTVISOR_STATE="$tmp/state"
cd "$tmp"

ctx='"context":{"cwd":"/home/tester/project","workspace":"/home/tester/project","home":"/home/tester"}'

printf '{"kind":"sql","input":{"statement":"SELECT id FROM users LIMIT 5"},%s}\n' "$ctx" >sql.json
expect_status sql-read 0 "$AV" check --action sql.json
expect_grep sql-line '^ALLOW \(risk none\): sql statement SELECT id FROM users LIMIT 5' "$tmp/out"

printf '{"kind":"http","input":{"url":"http://localhost:3000/health"},%s}\n' "$ctx" >http.json
expect_status http-local 0 "$AV" check --action http.json
expect_grep http-effect 'net.fetch +host localhost \[loopback\]' "$tmp/out"

printf '{"kind":"mcp","input":{"server":"acme-crm","tool":"lookup","arguments":{"q":"x"},"annotations":{"readOnlyHint":true}},%s}\n' "$ctx" >mcp.json
expect_status mcp-unmapped 1 "$AV" check --action mcp.json
expect_grep mcp-rule 'kinds\.mcp\.unmapped' "$tmp/out"

printf '{"kind":"kubernetes","input":{"verb":"delete","resource":"deployment","name":"web","namespace":"staging"},%s}\n' "$ctx" >k8s.json
expect_status k8s-delete 2 "$AV" check --action k8s.json
expect_grep k8s-dry-run 'kubectl delete deployment web -n staging --dry-run=server' "$tmp/out"
expect_status k8s-json 2 "$AV" check --json --action k8s.json
expect_grep k8s-json-fix '"safefix_command": ?"kubectl delete deployment web -n staging --dry-run=server"' "$tmp/out"

printf '{"kind":"http","input":{"url":"https://example.com/","method":"FETCH"},%s}\n' "$ctx" >bad.json
expect_status bad-method 65 "$AV" check --action bad.json
expect_grep bad-method-where 'input\.method' "$tmp/out"

echo "kinds: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
