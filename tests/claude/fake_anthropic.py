#!/usr/bin/env python3
"""A tiny stand-in for the Anthropic Messages API, enough to drive the real
Claude Code client through one tool call (tests/claude/run_e2e.sh).

POST /v1/messages, streaming (SSE) or not. When the request offers the
Bash tool and the conversation holds no tool result yet, the answer is a
tool_use of Bash whose command is read from COMMAND_FILE; once a tool
result comes back, the answer is a short text and end_turn. Requests that
offer no Bash tool (titles, summaries) get a short text. Everything is
logged as JSON Lines to LOG (one object per request, with the tool results
seen), so the test can check what Claude Code sent back to the model.

usage: fake_anthropic.py PORT_FILE COMMAND_FILE LOG
Listens on 127.0.0.1 on a free port and writes the port to PORT_FILE."""
import http.server
import json
import sys

COMMAND_FILE = LOG = None
MODEL = "claude-sonnet-4-5"


def log(entry):
    with open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")


def tool_results(messages):
    """Texts of the tool_result blocks in the last user message."""
    if not messages or messages[-1].get("role") != "user":
        return None
    content = messages[-1].get("content")
    if not isinstance(content, list):
        return None
    out = []
    for block in content:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            c = block.get("content")
            if isinstance(c, list):
                c = " ".join(x.get("text", "") for x in c if isinstance(x, dict))
            out.append({"is_error": block.get("is_error", False), "content": c})
    return out or None


def sse(event, data):
    return ("event: %s\ndata: %s\n\n" % (event, json.dumps(data))).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        log({"method": "GET", "path": self.path})
        self.reply_json(404, {"type": "error", "error": {"type": "not_found_error",
                                                         "message": "not here"}})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        try:
            req = json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            req = {}
        path = self.path.split("?")[0]
        if path == "/v1/messages/count_tokens":
            log({"method": "POST", "path": path})
            return self.reply_json(200, {"input_tokens": 100})
        if path != "/v1/messages":
            log({"method": "POST", "path": path})
            return self.reply_json(404, {"type": "error", "error": {
                "type": "not_found_error", "message": "not here"}})
        tools = [t.get("name") for t in req.get("tools", []) if isinstance(t, dict)]
        results = tool_results(req.get("messages", []))
        if "Bash" in tools and results is None:
            with open(COMMAND_FILE) as f:
                command = f.read().strip()
            block = {"type": "tool_use", "id": "toolu_e2e_0001", "name": "Bash",
                     "input": {"command": command,
                               "description": "Run the requested command"}}
            stop = "tool_use"
        else:
            block = {"type": "text", "text": "Done."}
            stop = "end_turn"
        log({"method": "POST", "path": path, "stream": bool(req.get("stream")),
             "tools": len(tools), "answer": block["type"], "tool_results": results})
        message = {"id": "msg_e2e", "type": "message", "role": "assistant",
                   "model": req.get("model", MODEL), "content": [block],
                   "stop_reason": stop, "stop_sequence": None,
                   "usage": {"input_tokens": 100, "output_tokens": 20}}
        if not req.get("stream"):
            return self.reply_json(200, message)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        start = dict(message, content=[], stop_reason=None)
        start["usage"] = {"input_tokens": 100, "output_tokens": 1}
        out = [sse("message_start", {"type": "message_start", "message": start})]
        if block["type"] == "tool_use":
            out.append(sse("content_block_start", {
                "type": "content_block_start", "index": 0,
                "content_block": dict(block, input={})}))
            out.append(sse("content_block_delta", {
                "type": "content_block_delta", "index": 0,
                "delta": {"type": "input_json_delta",
                          "partial_json": json.dumps(block["input"])}}))
        else:
            out.append(sse("content_block_start", {
                "type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}}))
            out.append(sse("content_block_delta", {
                "type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": block["text"]}}))
        out.append(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
        out.append(sse("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": stop,
                                               "stop_sequence": None},
            "usage": {"output_tokens": 20}}))
        out.append(sse("message_stop", {"type": "message_stop"}))
        self.wfile.write(b"".join(out))
        self.wfile.flush()
        self.close_connection = True


def main():
    global COMMAND_FILE, LOG
    port_file, COMMAND_FILE, LOG = sys.argv[1:4]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
