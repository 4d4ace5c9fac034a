#!/usr/bin/env bash
# The daemon's loopback TCP listener: the token file must be 0600 (refused
# otherwise, naming the file), only loopback addresses are accepted,
# requests need "Authorization: Bearer TOKEN" (the page itself does not),
# and the page carries its security headers. systemd socket activation:
# an inherited Unix socket is served.
set -uo pipefail
AV=$1
SRC=$2
source "$(dirname "$0")/lib/harness.sh"
source "$SRC/tests/daemon/lib.sh"
cd "$tmp"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'abcdefghijklmnopqrstuvwxyz0123456789\n' >"$tmp/token"
chmod 644 "$tmp/token"
expect_status token-0644 65 "$AV" serve --listen "127.0.0.1:$port" --token-file "$tmp/token"
expect_grep token-0644-names "$tmp/token.*mode 0644.*0600" "$tmp/err"
chmod 600 "$tmp/token"
expect_status listen-needs-token 64 "$AV" serve --listen "127.0.0.1:$port"
expect_status not-loopback 65 "$AV" serve --listen "0.0.0.0:$port" --token-file "$tmp/token"
expect_grep not-loopback-why 'only 127.0.0.1' "$tmp/err"
printf 'short\n' >"$tmp/short"
chmod 600 "$tmp/short"
expect_status token-short 65 "$AV" serve --listen "127.0.0.1:$port" --token-file "$tmp/short"

start_daemon --listen "127.0.0.1:$port" --token-file "$tmp/token" || { finish; exit 1; }
tcp() { # NAME WANT PATH [CURL ARGS...]
  local name=$1 want=$2 p=$3
  shift 3
  local got
  got=$(curl -s -o "$tmp/out" -D "$tmp/headers" -w '%{http_code}' "$@" "http://127.0.0.1:$port$p")
  if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: HTTP $got, wanted $want"; head -c 500 "$tmp/out"; echo; fails=$((fails + 1)); fi
}
tcp no-token 401 /v1/reviews
json_is no-token-error "$tmp/out" 'j["error"]["where"]' Authorization
tcp wrong-token 401 /healthz -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345678X'
tcp token 200 /healthz -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789'
tcp token-decide 200 /v1/decide -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789' \
  -H 'Content-Type: application/json' --data '{"kind":"shell","input":{"command":"ls"}}'
json_is tcp-decide "$tmp/out" 'j["verdict"]' allow
tcp page 200 /
expect_grep page-csp "Content-Security-Policy: default-src 'none'; script-src 'self'" "$tmp/headers"
expect_grep page-noframe 'X-Frame-Options: DENY' "$tmp/headers"
tcp script 200 /app.js
tcp style 200 /style.css
http audit-tcp-caller 200 GET '/v1/audit?verdict=allow'
json_is tcp-caller "$tmp/out" 'j["records"][-1]["record"]["caller"]["transport"]' tcp
stop_daemon

# Socket activation: a listening socket passed as fd 3 with LISTEN_PID and
# LISTEN_FDS is served, and --socket is not created.
python3 - "$AV" "$tmp/activated.sock" "$tmp/state" >"$tmp/activation.log" 2>&1 <<'PY' &
import os, socket, sys
av, path, state = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
pid = os.fork()
if pid == 0:
    os.dup2(s.fileno(), 3)
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDS"] = "1"
    os.environ.pop("AGENTVISOR_SOCKET", None)
    os.set_inheritable(3, True)
    os.execv(av, [av, "serve", "--state", state])
s.close()
open(path + ".pid", "w").write(str(pid))
os.waitpid(pid, 0)
PY
activator=$!
got=
for _ in $(seq 100); do
  got=$(curl -s --unix-socket "$tmp/activated.sock" http://av/healthz 2>/dev/null) && [ -n "$got" ] && break
  sleep 0.05
done
case $got in *'"status":"ok"'*) pass=$((pass + 1)) ;; *) echo "FAIL socket-activation: '$got'"; cat "$tmp/activation.log"; fails=$((fails + 1)) ;; esac
kill -TERM "$(cat "$tmp/activated.sock.pid")" 2>/dev/null || true
wait "$activator"
expect_grep activation-served 'serving' "$tmp/activation.log"

finish
