"""HTTP to an agent's local endpoint (SPEC §7): JSON requests, operator commands with the admin
token, and the event stream (`/v1/events`, server-sent events). Addresses are "host:port".

Every call returns None (or ends a stream) when the agent does not answer: down, paused,
partitioned from the caller. Callers that poll decide what silence means.
"""

import http.client
import json
import socket

TIMEOUT = 1.0


class Answer:
    def __init__(self, status: int, body) -> None:
        self.status = status
        self.body = body  # parsed JSON; the text when it is not JSON; None when empty


def _headers(token: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", **(extra or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _connection(address: str, timeout: float) -> http.client.HTTPConnection:
    host, port = address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


def _exchange(connection: http.client.HTTPConnection, method: str, path: str, token: str | None,
              body: dict | None, headers: dict[str, str] | None = None) -> Answer:
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers=_headers(token, headers))
    response = connection.getresponse()
    raw = response.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Answer(response.status, parsed)


def request(address: str, method: str, path: str, token: str | None = None, body: dict | None = None,
            timeout: float = TIMEOUT, headers: dict[str, str] | None = None) -> Answer | None:
    """One request on its own connection (`headers` added, e.g. FleetLock's); None when the agent
    does not answer."""
    connection = _connection(address, timeout)
    try:
        return _exchange(connection, method, path, token, body, headers)
    except (OSError, http.client.HTTPException, socket.timeout):
        return None
    finally:
        connection.close()


def get(address: str, path: str, timeout: float = TIMEOUT):
    """The parsed body of a 200 answer, else None."""
    answer = request(address, "GET", path, timeout=timeout)
    return answer.body if answer and answer.status == 200 else None


def healthy(address: str, timeout: float = TIMEOUT) -> bool:
    answer = request(address, "GET", "/v1/health", timeout=timeout)
    return answer is not None and answer.status == 200


class Session:
    """Requests on one kept-alive connection, opened again after any failure: a poller that asks
    many times a second costs the agent one connection, not one per request."""

    def __init__(self, address: str, timeout: float = 2.0) -> None:
        self.address = address
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def get(self, path: str):
        """The parsed body of a 200 answer, else None."""
        try:
            self._connection = self._connection or _connection(self.address, self.timeout)
            answer = _exchange(self._connection, "GET", path, None, None)
            return answer.body if answer.status == 200 else None
        except (OSError, http.client.HTTPException, socket.timeout):
            self.close()
            return None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


def events(address: str, last_id: int | None, stop, timeout: float = 2.0):
    """Yields each event (the parsed `data:` JSON, whose `event` field is its name, see `events`)
    of GET /v1/events until the stream ends, `stop()` is true, or nothing arrives for `timeout`
    seconds. `last_id` resumes after that event (`Last-Event-ID`); the caller reconnects."""
    connection = _connection(address, timeout)
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
