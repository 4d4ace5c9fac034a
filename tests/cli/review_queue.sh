#!/usr/bin/env bash
# The review queue (docs/PROTOCOL.md, "Daemon"): a review verdict is queued;
# a caller holding /v1/decide?wait=N gets allow after an approval and block
# after a denial; GET /v1/reviews/{id}?wait=N long-polls; unanswered reviews
# expire into block; answers are recorded in the audit log with who gave
# them; `agentvisor review list|show|approve|deny` and its exit statuses;
# a stopping daemon blocks what is still pending.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
source "$SRC/tests/daemon/lib.sh"
export HOME=/home/tester
cd "$tmp"

printf '{"id":"rv-1","session":"s-r","kind":"shell","input":{"command":"git push --force origin main"}}' >"$tmp/review1.json"
printf '{"id":"rv-2","session":"s-r","kind":"shell","input":{"command":"git push --force origin main"}}' >"$tmp/review2.json"
printf '{"id":"rv-3","session":"s-r","kind":"shell","input":{"command":"git push --force origin main"}}' >"$tmp/review3.json"

expect_status unreachable 69 "$AV" review list
expect_grep unreachable-why 'cannot reach the daemon' "$tmp/err"

start_daemon --review-timeout 60 || { finish; exit 1; }
expect_status list-empty 0 "$AV" review list
expect_grep list-empty-text 'no pending reviews' "$tmp/out"

# 1. Approve: the long-polling caller gets allow.
post_wait() { # FILE OUT: POST /v1/decide?wait=30 in the background
  curl -s --unix-socket "$sock" -H 'Content-Type: application/json' \
    --data-binary "@$1" 'http://av/v1/decide?wait=30' >"$2" &
}
pending() { curl -s --unix-socket "$sock" http://av/healthz | python3 -c 'import json,sys; print(json.load(sys.stdin)["pending_reviews"])'; }
wait_pending() { # N: until N reviews are pending (10 s at most)
  for _ in $(seq 200); do [ "$(pending)" -ge "$1" ] && return 0; sleep 0.05; done
}
post_wait "$tmp/review1.json" "$tmp/held1.json"
held1=$!
wait_pending 1
expect_status list-one 0 "$AV" review list --json
id1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reviews"][0]["id"])' "$tmp/out")
json_is list-action "$tmp/out" 'j["reviews"][0]["action"]["input"]["command"]' "git push --force origin main"
json_is list-findings "$tmp/out" '"data.destroy" in [f["rule"] for f in j["reviews"][0]["verdict"]["findings"]]' True
json_is list-explanation "$tmp/out" 'len(j["reviews"][0]["explanation"]) > 0' True
expect_status list-text 0 "$AV" review list
expect_grep list-text-id "^$id1 " "$tmp/out"
expect_status show 0 "$AV" review show "$id1"
expect_grep show-pending 'pending' "$tmp/out"
expect_status approve 0 "$AV" review approve "$id1" --reason "release branch, agreed"
expect_grep approve-out 'approved: the action is now allow' "$tmp/out"
wait "$held1"
json_is held-got-allow "$tmp/held1.json" 'j["verdict"]+" "+j["review"]["status"]+" "+j["review"]["reason"]' "allow approved release branch, agreed"
json_is held-by-uid "$tmp/held1.json" 'j["review"]["by"]["uid"]' "$(id -u)"
expect_status approve-twice 1 "$AV" review approve "$id1"
expect_grep approve-twice-why 'already approved' "$tmp/err"
expect_status unknown-id 66 "$AV" review deny r-0000000000000000
expect_status bad-id 64 "$AV" review deny 'r-../../v1/audit'

# 2. Deny, with the caller polling GET /v1/reviews/{id}?wait=N instead.
http decide-pending 200 POST /v1/decide "$tmp/review2.json"
json_is pending-verdict "$tmp/out" 'j["verdict"]+" "+j["review"]["status"]' "review pending"
id2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["review"]["id"])' "$tmp/out")
curl -s --unix-socket "$sock" "http://av/v1/reviews/$id2?wait=30" >"$tmp/poll2.json" &
poll2=$!
sleep 0.3
expect_status deny 0 "$AV" review deny "$id2" --reason "not on main"
expect_grep deny-out 'denied: the action is now block' "$tmp/out"
wait "$poll2"
json_is poll-got-denied "$tmp/poll2.json" 'j["status"]+" "+j["final"]["verdict"]+" "+j["reason"]' "denied block not on main"

# A short wait on a pending review answers "pending" when it runs out.
http decide-pending-3 200 POST '/v1/decide?wait=1' "$tmp/review3.json"
json_is wait-ran-out "$tmp/out" 'j["verdict"]+" "+j["review"]["status"]' "review pending"
id3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["review"]["id"])' "$tmp/out")

# Analyzer output that is not UTF-8 (a decoded $'\xff') still lists as JSON.
python3 -c 'import json,sys; open(sys.argv[1],"w").write(json.dumps({"id":"rv-8","kind":"shell","input":{"command":"git push --force origin main $'"'"'\\xff'"'"'"}}))' "$tmp/bytes.json"
http decide-bytes 200 POST /v1/decide "$tmp/bytes.json"
json_is bytes-pending "$tmp/out" 'j["verdict"]+" "+j["review"]["status"]' "review pending"
http list-bytes 200 GET /v1/reviews
json_is list-bytes-escaped "$tmp/out" '[r for r in j["reviews"] if r["action"]["id"]=="rv-8"][0]["explanation"].count("\\xff") > 0' True

# Malformed answers name the field.
printf '{"decision":"maybe"}' >"$tmp/maybe.json"
http answer-bad-decision 400 POST "/v1/reviews/$id3" "$tmp/maybe.json"
json_is answer-bad-decision-field "$tmp/out" 'j["error"]["where"]' decision
printf '{"decision":"approve","by":"me"}' >"$tmp/extra.json"
http answer-unknown-field 400 POST "/v1/reviews/$id3" "$tmp/extra.json"
json_is answer-unknown-field-name "$tmp/out" 'j["error"]["where"]' by
printf '{"decision":"approve"' >"$tmp/truncated.json"
http answer-truncated 400 POST "/v1/reviews/$id3" "$tmp/truncated.json"
http answer-unknown 404 POST /v1/reviews/r-1234 "$tmp/maybe.json"
http review-get-unknown 404 GET /v1/reviews/r-1234

# 3. A stopping daemon blocks what is pending; a held caller gets block.
before=$(pending)
post_wait "$tmp/review1.json" "$tmp/held4.json"
held4=$!
wait_pending $((before + 1))
stop_daemon
if [ "$daemon_status" = 0 ]; then pass=$((pass + 1)); else echo "FAIL stop-status: $daemon_status"; sed 's/^/  | /' "$tmp/daemon.log" | tail -30; fails=$((fails + 1)); fi
wait "$held4"
json_is shutdown-block "$tmp/held4.json" 'j["verdict"]+" "+j["review"]["status"]' "block cancelled"

# 4. Unanswered reviews expire into block.
start_daemon --review-timeout 1 || { finish; exit 1; }
post_wait "$tmp/review1.json" "$tmp/held5.json"
held5=$!
wait "$held5"
json_is expired-block "$tmp/held5.json" 'j["verdict"]+" "+j["review"]["status"]' "block expired"
stop_daemon
if [ "$daemon_status" = 0 ]; then pass=$((pass + 1)); else echo "FAIL stop-status-2: $daemon_status"; sed 's/^/  | /' "$tmp/daemon.log" | tail -30; fails=$((fails + 1)); fi

# Every answer is in the audit log: a second decision record for the same
# action, with the final verdict, the review, and who answered.
expect_status audit-export 0 "$AV" audit export --type decision
python3 - "$tmp/out" "$id1" "$id2" >"$tmp/audit_check" <<'PY'
import json, sys
recs = [json.loads(l)["record"] for l in open(sys.argv[1])]
final = {r["decision"]["review"]["id"]: r for r in recs if "review" in r["decision"]}
a, d = final[sys.argv[2]], final[sys.argv[3]]
print(a["decision"]["verdict"], a["decision"]["review"]["status"], a["id"], a["caller"]["transport"])
print(d["decision"]["verdict"], d["decision"]["review"]["status"], d["id"])
print(sorted(r["decision"]["review"]["status"] for r in final.values()))
print(sum(1 for r in recs if r["decision"]["verdict"] == "review"))
PY
expect_grep audit-approved '^allow approved rv-1 unix$' "$tmp/audit_check"
expect_grep audit-denied '^block denied rv-2$' "$tmp/audit_check"
expect_grep audit-all-outcomes "^\['approved', 'cancelled', 'cancelled', 'cancelled', 'denied', 'expired'\]$" "$tmp/audit_check"
expect_grep audit-review-verdicts '^6$' "$tmp/audit_check"
expect_status audit-verifies 0 "$AV" audit verify

finish
