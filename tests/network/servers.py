"""Loopback servers for the network tests: TLS, proxies, trickles and stalls.

They build on tests.servers.RawServer and listen on 127.0.0.1 only. The proxy
connects only to 127.0.0.1, whatever host name a request names.
"""

import contextlib
import select
import socket
import ssl
import threading
import time

from tests.servers import RawServer, ReceivedRequest

_RELAY_SECONDS = 10.0


class TlsServer(RawServer):
    """A RawServer that speaks TLS with `context` before reading each request."""

    def __init__(self, behaviour, context: ssl.SSLContext) -> None:
        super().__init__(behaviour)
        self._context = context
        self._tls_connections: list[ssl.SSLSocket] = []
        self.handshake_errors: list[str] = []
        self.peer_certificates: list[dict] = []
        """The client certificate of each handshake, {} when none was asked for."""

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/hook"

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        for conn in self._tls_connections:
            conn.close()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            tls = self._context.wrap_socket(conn, server_side=True)
        except OSError as exc:
            self.handshake_errors.append(str(exc))
            conn.close()
            return
        self._tls_connections.append(tls)
        self.peer_certificates.append(tls.getpeercert())
        super()._handle(tls)


def trickle_forever(conn: socket.socket, request: ReceivedRequest) -> None:
    """Promise a large body and send one byte every 50 ms, for at most 10 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    for _ in range(200):
        try:
            conn.sendall(b".")
        except OSError:
            return
        time.sleep(0.05)


class AnswerAnything:
    """Responds to each connection on 127.0.0.1 with fixed bytes, whatever arrives.

    Unlike RawServer it does not wait for an HTTP request, so it also responds
    to a TLS ClientHello, as a plain HTTP server does with "400 Bad Request".
    """

    def __init__(self, answer: bytes) -> None:
        self._answer = answer
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "AnswerAnything":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):
                conn.settimeout(5)
                conn.recv(65536)
                conn.sendall(self._answer)
                # Read what is left so that closing sends FIN, not a reset.
                conn.shutdown(socket.SHUT_WR)
                conn.settimeout(0.5)
                while conn.recv(65536):
                    pass


class SilentListener:
    """Accepts connections on 127.0.0.1 and never reads from them."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> "SilentListener":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            # A small receive buffer makes the sender's writes stall sooner.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            self._held.append(conn)


def _relay(left: socket.socket, right: socket.socket) -> None:
    """Copy bytes both ways until either side closes or the time is up."""
    deadline = time.monotonic() + _RELAY_SECONDS
    sockets = [left, right]
    while time.monotonic() < deadline:
        readable, _, _ = select.select(sockets, [], [], 0.2)
        for source in readable:
            target = right if source is left else left
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                target.sendall(data)
            except OSError:
                return


class ForwardingProxy:
    """An HTTP proxy on 127.0.0.1: absolute-form requests and CONNECT tunnels.

    Every request it receives is kept in `requests`, Proxy-Authorization
    included. The host of each target must be 127.0.0.1 or a name in `names`,
    and the proxy connects to 127.0.0.1 at the target's port in every case.
    """

    def __init__(self, names: tuple[str, ...] = ("localhost",)) -> None:
        self._names = {"127.0.0.1", *names}
        self._server = RawServer(self._behaviour)
        self.requests = self._server.requests

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ForwardingProxy":
        self._server.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.__exit__(*exc_info)

    def _behaviour(self, conn: socket.socket, request: ReceivedRequest) -> None:
        method, target, _version = request.request_line.split(" ", 2)
        if method == "CONNECT":
            self._tunnel(conn, target)
        else:
            self._forward(conn, request, target)
        conn.close()

    def _upstream(self, conn: socket.socket, host: str, port: int):
        if host.strip("[]") not in self._names:
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return None
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return None

    def _tunnel(self, conn: socket.socket, authority: str) -> None:
        host, _, port = authority.rpartition(":")
        upstream = self._upstream(conn, host, int(port))
        if upstream is None:
            return
        with upstream:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(conn, upstream)

    def _forward(
        self, conn: socket.socket, request: ReceivedRequest, target: str
    ) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        upstream = self._upstream(conn, parts.hostname or "", parts.port or 80)
        if upstream is None:
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        lines = request.head.split(b"\r\n")
        method = lines[0].split(b" ", 1)[0]
        forwarded_lines = [
            line
            for line in lines[1:]
            if not line.lower().startswith((b"proxy-", b"connection:"))
        ]
        head = b"\r\n".join(
            [
                method + b" " + path.encode() + b" HTTP/1.1",
                *forwarded_lines,
                b"Connection: close",
            ]
        )
        with upstream:
            upstream.sendall(head + b"\r\n\r\n" + request.body)
            with contextlib.suppress(OSError):
                while data := upstream.recv(65536):
                    conn.sendall(data)


def ntlm_only_proxy(conn: socket.socket, request: ReceivedRequest) -> None:
    """Respond to any request, CONNECT too, with 407 requiring NTLM or Negotiate."""
    conn.sendall(
        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
        b"Proxy-Authenticate: NTLM\r\n"
        b"Proxy-Authenticate: Negotiate\r\n"
        b"Content-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )
    conn.close()


def basic_auth_proxy(conn: socket.socket, request: ReceivedRequest) -> None:
    """Respond to every request with 407 requiring Basic credentials."""
    conn.sendall(
        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
        b'Proxy-Authenticate: Basic realm="tests"\r\n'
        b"Content-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )
    conn.close()
