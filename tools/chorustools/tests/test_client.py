"""The one HTTP and SSE client against a local server that speaks like the agent's endpoint."""

import http.server
import json
import threading
import unittest

from chorustools import client, events


class FakeAgent(http.server.BaseHTTPRequestHandler):
    """/v1/cluster as JSON, /metrics as text, /v1/upgrade/start only with the token, and
    /v1/events: two events, one split over two `data:` lines, after the Last-Event-ID asked for."""

    protocol_version = "HTTP/1.1"
    resumed_after: list[str | None] = []

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/v1/cluster":
            self._send(200, b'{"state": "STABLE"}', "application/json")
        elif self.path == "/metrics":
            self._send(200, b"# HELP x\nx 1\n", "text/plain")
        elif self.path == "/v1/events":
            FakeAgent.resumed_after.append(self.headers.get("Last-Event-ID"))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            first = json.dumps({"id": 7, "event": events.UPGRADE_STARTED})
            self.wfile.write(f"id: 7\nevent: {events.UPGRADE_STARTED}\ndata: {first}\n\n".encode())
            self.wfile.write(f': keep-alive\n\nid: 8\nevent: {events.UPGRADE_CANCELLED}\n'
                             f'data: {{"id": 8,\ndata:  "event": "{events.UPGRADE_CANCELLED}"}}\n\n'.encode())
            self.wfile.flush()
            self.close_connection = True
        else:
            self._send(404, b'{"error": "not-found"}', "application/json")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        allowed = self.headers.get("Authorization") == "Bearer secret"
        self._send(200 if allowed else 401, b'{"slot": 3}' if allowed else b'{"error": "unauthorized"}',
                   "application/json")

    def log_message(self, *args) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that stops reading a stream early resets the connection: expected here


class ClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = QuietServer(("127.0.0.1", 0), FakeAgent)
        cls.address = f"127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()
        cls.server.server_close()

    def test_json_text_and_errors(self):
        self.assertEqual(client.get(self.address, "/v1/cluster"), {"state": "STABLE"})
        self.assertEqual(client.get(self.address, "/metrics"), "# HELP x\nx 1\n")
        self.assertIsNone(client.get(self.address, "/v1/nothing"))
        self.assertEqual(client.request(self.address, "GET", "/v1/nothing").status, 404)
        self.assertIsNone(client.request("127.0.0.1:1", "GET", "/v1/cluster"), "no agent there: None, not an error")

    def test_token_is_sent(self):
        self.assertEqual(client.request(self.address, "POST", "/v1/upgrade/start", token="secret", body={}).body,
                         {"slot": 3})
        self.assertEqual(client.request(self.address, "POST", "/v1/upgrade/start", body={}).status, 401)

    def test_session_reuses_and_survives_errors(self):
        session = client.Session(self.address)
        self.assertEqual(session.get("/v1/cluster"), {"state": "STABLE"})
        self.assertEqual(session.get("/v1/cluster"), {"state": "STABLE"})
        self.assertIsNone(session.get("/v1/nothing"))
        session.close()

    def test_events_parse_multiline_data_and_resume(self):
        FakeAgent.resumed_after.clear()
        got = list(client.events(self.address, 6, lambda: False))
        self.assertEqual([(e["id"], e["event"]) for e in got],
                         [(7, events.UPGRADE_STARTED), (8, events.UPGRADE_CANCELLED)])
        self.assertEqual(FakeAgent.resumed_after, ["6"])

    def test_events_stop_when_asked(self):
        self.assertEqual(list(client.events(self.address, None, lambda: True)), [])


if __name__ == "__main__":
    unittest.main()
