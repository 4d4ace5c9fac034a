# lib.sh - what the daemon's CLI tests (tests/cli/serve_*.sh, review_*.sh)
# share on top of tests/cli/lib/harness.sh: starting `agentvisor serve` in
# the test's temporary directory, waiting for its socket, and HTTP over the
# Unix socket with curl. Sourced after harness.sh; $AV is the binary.

sock="$tmp/av.sock"
export AGENTVISOR_SOCKET="$sock"
export AGENTVISOR_STATE="$tmp/state"
daemon_pid=

# start_daemon [OPTIONS...]: starts the daemon (log in $tmp/daemon.log)
# and waits up to 10 s for its health check.
start_daemon() {
  "$AV" serve "$@" >>"$tmp/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 200); do
    if curl -sf --unix-socket "$sock" http://av/healthz >/dev/null 2>&1; then return 0; fi
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL start: the daemon did not come up"; sed 's/^/  | /' "$tmp/daemon.log"
  fails=$((fails + 1))
  return 1
}

# stop_daemon: SIGTERM and wait; the exit status is in $daemon_status.
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  kill -TERM "$daemon_pid" 2>/dev/null
  wait "$daemon_pid"
  daemon_status=$?
  daemon_pid=
}

trap 'if [ -n "$daemon_pid" ]; then kill -9 "$daemon_pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT

# http NAME WANT_STATUS METHOD PATH [BODY_FILE [CONTENT_TYPE]]: one request
# over the socket; the body goes to $tmp/out.
http() {
  local name=$1 want=$2 method=$3 path=$4 body=${5:-} ctype=${6:-application/json}
  local args=(-s -o "$tmp/out" -w '%{http_code}' --unix-socket "$sock" -X "$method")
  if [ -n "$body" ]; then args+=(-H "Content-Type: $ctype" --data-binary "@$body"); fi
  local got
  got=$(curl "${args[@]}" "http://av$path")
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: HTTP $got, wanted $want"; sed 's/^/  | /' "$tmp/out" | head -c 2000; echo
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

# jq-free JSON field check: json_is NAME FILE PYEXPR WANT, where PYEXPR
# reads the parsed JSON as `j` (python3).
json_is() {
  local got
  got=$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($3)" "$2" 2>&1)
  if [ "$got" == "$4" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: $3 is '$got', wanted '$4'"; head -c 1500 "$2" | sed 's/^/  | /'; echo
    fails=$((fails + 1)); fi
}

finish() {
  echo "$pass passed, $fails failed"
  [ "$fails" -eq 0 ]
}
