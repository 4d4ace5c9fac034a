#!/usr/bin/env python3
"""A stand-in for `agentvisor serve` on a Unix socket, for the hook's
client tests (tests/cli/hook_claude.sh): it answers POST /v1/hooks/claude
in one of several ways, good and broken, so the test can see that the hook
uses a daemon's answer and fails closed on every bad one.

usage: fake_daemon.py SOCKET MODE
  MODE allow    200 with a well-formed allow answer naming "fake-daemon"
       http500  500 with a JSON error
       garbage  200 with a body that is not a hook answer
       wrongevt 200 with a hook answer for another event
       hang     accepts and never answers
The request body is appended to SOCKET.requests (one line each)."""
import http.server
import os
import socketserver
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    mode = "allow"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "unix"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(self.server.server_address + ".requests", "ab") as f:
            f.write(self.path.encode() + b" " + body.replace(b"\n", b" ") + b"\n")
        if self.mode == "hang":
            time.sleep(30)
            return
        answers = {
            "allow": (200, b'{"hookSpecificOutput":{"hookEventName":"PreToolUse",'
                           b'"permissionDecision":"allow","permissionDecisionReason":'
                           b'"fake-daemon: allow"}}'),
            "http500": (500, b'{"error":{"code":"internal","message":"boom"}}'),
            "garbage": (200, b"<html>hello</html>"),
            "wrongevt": (200, b'{"hookSpecificOutput":{"hookEventName":"PostToolUse",'
                              b'"permissionDecision":"allow"}}'),
        }
        code, out = answers[self.mode]
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path, mode = sys.argv[1], sys.argv[2]
    Handler.mode = mode
    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    main()
