#!/usr/bin/env python3
"""The notification tests' webhook receiver: a real HTTP server on
127.0.0.1 that records what it acknowledges and can be told to fail, hang
and recover. It stands for a generic webhook, ntfy, Gotify, Slack and
Discord (each posts to its own path here).

  notify_receiver.py [PORT]     prints {"port": N} on its first line

Control (never recorded):
  POST /_mode  body ok|fail|hang   answer 2xx / answer 500 / never answer
  GET  /_received                  JSON list of acknowledged requests:
                                   {"path", "headers", "body", "t"}
  GET  /_attempts                  JSON list of every request: {"path", "mode", "t", "delivery"}
Standard library only."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state = {"mode": "ok", "received": [], "attempts": []}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            if self.path == "/_received":
                return self.reply(200, json.dumps(state["received"]).encode(), "application/json")
            if self.path == "/_attempts":
                return self.reply(200, json.dumps(state["attempts"]).encode(), "application/json")
        self.reply(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        if self.path == "/_mode":
            with lock:
                state["mode"] = body.strip()
            return self.reply(200, b"ok")
        with lock:
            mode = state["mode"]
            state["attempts"].append({"path": self.path, "mode": mode, "t": time.time(), "delivery": self.headers.get("X-Homedeck-Delivery")})
        if mode == "fail":
            return self.reply(500, b"receiver told to fail")
        if mode == "hang":
            # Hold the request until told otherwise (or 30 s), then drop it unanswered.
            deadline = time.time() + 30
            while time.time() < deadline:
                with lock:
                    if state["mode"] != "hang":
                        break
                time.sleep(0.05)
            self.close_connection = True
            return
        with lock:
            state["received"].append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body, "t": time.time()})
        # Discord answers 204, Slack "ok", the others JSON: all are 2xx.
        self.reply(200, b'{"ok":true}', "application/json")


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
