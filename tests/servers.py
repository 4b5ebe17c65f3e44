"""Small real HTTP servers on 127.0.0.1 for tests: each behaves badly on purpose.

`RawServer` accepts connections on a thread, reads one request head and body,
and hands the socket to a behaviour function that writes whatever it likes.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Behaviour = Callable[[socket.socket, "ReceivedRequest"], None]


@dataclass
class ReceivedRequest:
    """One request as the raw server read it."""

    head: bytes
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def request_line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode("latin-1")


def _read_request(conn: socket.socket) -> ReceivedRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")

    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()

    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return ReceivedRequest(head, body, headers)


class RawServer:
    """A threaded socket server on 127.0.0.1 that runs `behaviour` per request."""

    def __init__(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.requests: list[ReceivedRequest] = []
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> "RawServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._connections:
            conn.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._connections.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            self._behaviour(conn, request)
        except OSError:
            pass


def respond(status: str, body: bytes, headers: dict[str, str] | None = None):
    """Return a behaviour that answers with a complete response and closes."""

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        lines += ["Connection: close", "", ""]
        conn.sendall("\r\n".join(lines).encode("latin-1") + body)
        conn.close()

    return behaviour


def respond_after(seconds: float, status: str = "200 OK", body: bytes = b"late"):
    """Return a behaviour that waits, then answers."""
    answer = respond(status, body)

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        time.sleep(seconds)
        answer(conn, request)

    return behaviour


def never_answer(conn: socket.socket, request: ReceivedRequest) -> None:
    """Keep the connection open and send nothing."""


def drop_mid_body(conn: socket.socket, request: ReceivedRequest) -> None:
    """Promise 100 bytes, send 10, then close the connection."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    conn.shutdown(socket.SHUT_RDWR)
    conn.close()


def close_without_answer(conn: socket.socket, request: ReceivedRequest) -> None:
    """Close the connection as soon as the request has arrived."""
    conn.close()


def full_backlog_listener() -> tuple[socket.socket, list[socket.socket]]:
    """Return a loopback listener that never accepts and whose queue is full.

    New connections to it wait for a SYN-ACK that never comes, which makes a
    connect timeout without leaving loopback.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]

    fillers = []
    for _ in range(8):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    return listener, fillers
