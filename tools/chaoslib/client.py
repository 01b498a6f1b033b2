"""HTTP to an agent's local endpoint: JSON reads, operator commands, the event stream."""

import http.client
import json
import socket

TIMEOUT = 1.0


class Answer:
    def __init__(self, status: int, body) -> None:
        self.status = status
        self.body = body


def request(address: str, method: str, path: str, token: str | None = None, body: dict | None = None,
            timeout: float = TIMEOUT) -> Answer | None:
    """None when the agent does not answer (down, paused, partitioned from the harness)."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Answer(response.status, parsed)
    except (OSError, http.client.HTTPException, socket.timeout):
        return None
    finally:
        connection.close()


def get(address: str, path: str, timeout: float = TIMEOUT):
    answer = request(address, "GET", path, timeout=timeout)
    return answer.body if answer and answer.status == 200 else None


def events(address: str, last_id: int | None, stop, timeout: float = 2.0):
    """Yields each event (the parsed `data:`) of GET /v1/events until the stream ends or `stop()`."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = {"Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    try:
        connection.request("GET", "/v1/events", headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            return
        data = []
        while not stop():
            try:
                line = response.fp.readline()
            except socket.timeout:
                return  # a timed-out socket cannot be read again: the caller resumes with Last-Event-ID
            if not line:
                return
            line = line.decode(errors="replace").rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif line == "" and data:
                try:
                    yield json.loads("\n".join(data))
                except ValueError:
                    pass
                data = []
    except (OSError, http.client.HTTPException):
        return
    finally:
        connection.close()
