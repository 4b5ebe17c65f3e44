"""Endpoints on 127.0.0.1 for the check tests: each fails chosen topics on purpose.

Built on `tests.servers.RawServer`, so every request is handled on its own
thread and recorded in `server.requests`.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.servers import RawServer, ReceivedRequest, respond

OK_BODY = b'{"ok": true, "data": {"ok": true, "status": "stored"}}'
SLOW_TOPIC = "course.completed"
"""The topic the picky endpoint responds to late, after DELAY_SECONDS."""

DELAY_SECONDS = 1.5
LIMIT_MS = 800
"""A time limit that SLOW_TOPIC misses and the other topics meet on a busy machine."""
NOT_ROUTED_TOPIC = "course.deleted"
"""The topic whose path the picky endpoint has no route for (404)."""

REJECTED_TOPIC = "sale.new"
"""The topic whose body (`resource` purchase) the picky endpoint rejects (500)."""


def request_path(request: ReceivedRequest) -> str:
    return request.request_line.split(" ")[1]


def mentions_resource(body: bytes, resource: str) -> bool:
    """True when a JSON or XML event body has this `resource` value."""
    return (
        f'"resource": "{resource}"'.encode() in body
        or f"<resource>{resource}</resource>".encode() in body
    )


def picky_endpoint(conn: socket.socket, request: ReceivedRequest) -> None:
    """Fail three topics, each in its own way, and respond 200 with JSON to the rest."""
    if request_path(request).endswith("/" + NOT_ROUTED_TOPIC):
        respond("404 Not Found", b"no route")(conn, request)
    elif mentions_resource(request.body, "purchase"):
        respond("500 Internal Server Error", b"boom")(conn, request)
    elif mentions_resource(request.body, "course_completion"):
        threading.Event().wait(DELAY_SECONDS)
        respond("200 OK", OK_BODY, {"Content-Type": "application/json"})(conn, request)
    else:
        respond("200 OK", OK_BODY, {"Content-Type": "application/json"})(conn, request)


@contextmanager
def picky_server() -> Iterator[RawServer]:
    """Run `picky_endpoint` on a free port."""
    with RawServer(picky_endpoint) as server:
        yield server


@contextmanager
def slow_server(fast_count: int = 2, hold_seconds: float = 20.0) -> Iterator[RawServer]:
    """Respond at once to the first `fast_count` requests and hold every later one.

    Held requests get their response when the block ends (or after `hold_seconds`),
    so no thread outlives the test by long.
    """
    release = threading.Event()
    lock = threading.Lock()
    seen = [0]

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        with lock:
            seen[0] += 1
            number = seen[0]
        if number > fast_count:
            release.wait(hold_seconds)
        respond("200 OK", b"")(conn, request)

    with RawServer(behaviour) as server:
        try:
            yield server
        finally:
            release.set()


@contextmanager
def refused_port() -> Iterator[int]:
    """Yield a loopback port that refuses connections until the block ends.

    A socket stays bound to it without listening, so no other program can
    take the port in the meantime.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@contextmanager
def held_topic_server(
    held_topic: str, hold_seconds: float = 20.0
) -> Iterator[RawServer]:
    """Hold the request for `held_topic` (by URL path) and respond to the rest at once.

    The held request gets its response when the block ends (or after
    `hold_seconds`). Use it with a URL ending in `/{topic}`.
    """
    release = threading.Event()

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        if request_path(request).endswith("/" + held_topic):
            release.wait(hold_seconds)
        respond("200 OK", b"")(conn, request)

    with RawServer(behaviour) as server:
        try:
            yield server
        finally:
            release.set()
