#!/usr/bin/env python3
"""A small web application for trying Chorus rollouts: it serves its version and its health.

    app.py --port 8080 --dir /var/lib/app

It runs the version written in DIR/version when it starts. GET / answers "hello from VERSION",
GET /version the version alone, GET /health 200, or 500 when the version is listed in
DIR/broken (one per line: a release that starts but does not work). upgrade.sh moves it to
another version, as a node command does.
"""
import argparse
import http.server
import os
import signal
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    with open(os.path.join(args.dir, "version")) as file:
        version = file.read().strip()
    broken_path = os.path.join(args.dir, "broken")
    broken = set()
    if os.path.exists(broken_path):
        with open(broken_path) as file:
            broken = {line.strip() for line in file if line.strip()}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/health":
                status, body = (500, "broken\n") if version in broken else (200, "ok\n")
            elif self.path == "/version":
                status, body = 200, version + "\n"
            else:
                status, body = 200, "hello from " + version + "\n"
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(os.path.join(args.dir, "app.pid"), "w") as file:
        file.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
