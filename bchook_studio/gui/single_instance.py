"""One GUI instance per app home folder, guarded by a local socket.

The server name comes from a hash of the user name and the resolved home
folder, so two homes (a portable copy, a test home) run side by side. A
second launch for the same home connects, sends "activate", waits until the
first instance replies "ok" once its window is in front, and exits. Only
the GUI start takes the guard; CLI sub-commands never do.

On Unix the guard is a Unix domain socket at the path QLocalServer gives the
same name (QDir.tempPath() joined with the name), so this version and one that
used QLocalServer find each other. It is served with Python's socket module and
QSocketNotifier, because importing QtNetwork added about 3 MiB and 5 ms to every
start. As QLocalServer does with UserAccessOption, the socket is bound in a
private folder, made accessible to the user only and then renamed into place.
A crash leaves the socket file behind; a socket file that accepts no connection
is stale and is replaced.

On Windows the guard is a QLocalServer, which listens on a named pipe.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QObject, QSocketNotifier, Qt, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

logger = logging.getLogger(__name__)

ACTIVATE = b"activate"
ACKNOWLEDGED = b"ok"
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
"""Milliseconds a second launch waits for the first instance to reply."""

_MAX_MESSAGE_BYTES = 256
# Pending connections the Unix socket queues before rejecting more.
_LISTEN_BACKLOG = 8
_USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")
"""The variables getpass.getuser() reads for the login name, in its order."""


def server_name(home: Path) -> str:
    """Return the local server name for an app home folder and the current user."""
    resolved = Path(home).expanduser().resolve()
    key = f"{_user_name()}\0{resolved}".encode("utf-8", "surrogateescape")
    digest = _sha256_hex(key)[:32]
    return f"bchook-studio-{digest}"


def _sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of `data` in hex, without loading OpenSSL.

    hashlib loads OpenSSL's libcrypto on import, about 2 ms and 0.5 MiB, which
    nothing else needs before the first send. CPython's own SHA-256 module
    (`_sha2` from Python 3.12 on, `_sha256` before) gives the same digest;
    hashlib is the fallback where neither exists.
    """
    try:
        from _sha2 import sha256
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[no-redef]
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def _user_name() -> str:
    """Return the login name the way getpass.getuser() finds it.

    getpass also imports termios for its password prompt, which the app never
    shows. An empty name stands for a user with no variable and no password
    database entry (some containers).
    """
    for variable in _USER_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return value
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return ""


class InstanceGuard(QObject):
    """The running instance's claim on its home folder.

    `activation_requested` is emitted when a second launch requests that this
    instance come to the front. The app connects it to `bring_to_front(window)`.
    This base class is the inert guard, used when no server could be created:
    it never listens.
    """

    activation_requested = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def name(self) -> str:
        """Return the local server name of this home folder."""
        return self._name

    def is_listening(self) -> bool:
        """True while the guard holds the name; False when it could not take it."""
        return False

    def full_server_name(self) -> str:
        """Return the socket path (Unix) or pipe name (Windows), or '' when not
        listening."""
        return ""

    def release(self) -> None:
        """Stop listening, so that a later launch becomes the running instance."""

    def _reply_to(self, message: bytes) -> bytes | None:
        """Act on one request line and return the reply line, or None."""
        if message == ACTIVATE:
            logger.info("another launch asked this instance to come to the front")
            self.activation_requested.emit()
            return ACKNOWLEDGED + b"\n"
        logger.warning(
            "ignored an unknown single-instance message of %d bytes", len(message)
        )
        return None


def acquire_instance(
    home: Path, *, reply_timeout_ms: int = REPLY_TIMEOUT_MS
) -> InstanceGuard | None:
    """Become the running instance for `home`, or ask the running one to show.

    Returns None when another instance accepted the request; the caller then
    exits with status 0. Otherwise returns the guard, which may be inert (not
    listening) when the local server cannot be created, so the app still
    starts. Needs a QCoreApplication; call it before creating the window.
    """
    name = server_name(home)
    if sys.platform == "win32":
        return _acquire_local_server(name, reply_timeout_ms)
    return _acquire_unix_socket(name, reply_timeout_ms)


def bring_to_front(window: QWidget) -> None:
    """Show `window` un-minimised, raised and active (the window system may
    still refuse focus, as Windows does for a background process)."""
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState(
            (state & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    window.raise_()
    window.activateWindow()


# Unix: a Unix domain socket served through QSocketNotifier.


def unix_socket_path(name: str) -> str:
    """Return the socket path of a server name, as QLocalServer builds it."""
    return os.path.join(QDir.tempPath(), name)


@dataclass
class _Connection:
    """An accepted connection, its read notifier and the bytes of a partial line."""

    stream: socket.socket
    notifier: QSocketNotifier
    buffer: bytearray = field(default_factory=bytearray)


class UnixSocketGuard(InstanceGuard):
    """A guard that listens on a Unix domain socket it owns."""

    def __init__(self, listener: socket.socket, path: str, name: str) -> None:
        super().__init__(name)
        self._listener: socket.socket | None = listener
        self._path = path
        # The file is removed on release only while it is still this socket.
        self._inode = os.stat(path).st_ino
        self._connections: dict[int, _Connection] = {}
        self._accept_notifier = QSocketNotifier(
            listener.fileno(), QSocketNotifier.Type.Read, self
        )
        self._accept_notifier.activated.connect(self._accept)

    def is_listening(self) -> bool:
        return self._listener is not None

    def full_server_name(self) -> str:
        return self._path if self.is_listening() else ""

    def release(self) -> None:
        for descriptor in list(self._connections):
            self._close(descriptor)
        if self._listener is None:
            return

        self._accept_notifier.setEnabled(False)
        self._listener.close()
        self._listener = None
        with contextlib.suppress(OSError):
            if os.stat(self._path).st_ino == self._inode:
                os.unlink(self._path)
        logger.info("released the single-instance guard %s", self._name)

    def _accept(self, *_signal_arguments: object) -> None:
        while self._listener is not None:
            try:
                connection, _address = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                logger.warning("accepting a single-instance connection failed: %s", exc)
                return
            connection.setblocking(False)
            descriptor = connection.fileno()
            notifier = QSocketNotifier(descriptor, QSocketNotifier.Type.Read, self)
            notifier.activated.connect(functools.partial(self._read, descriptor))
            self._connections[descriptor] = _Connection(connection, notifier)

    def _read(self, descriptor: int, *_signal_arguments: object) -> None:
        connection = self._connections.get(descriptor)
        if connection is None:
            return
        try:
            data = connection.stream.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            self._close(descriptor)
            return
        if not data:
            self._close(descriptor)
            return

        buffer = connection.buffer
        buffer += data
        while (end := buffer.find(b"\n")) >= 0:
            message = bytes(buffer[:end]).strip()
            del buffer[: end + 1]
            reply = self._reply_to(message)
            if reply is None:
                continue
            try:
                # A reply of a few bytes fits the empty send buffer of a new
                # connection, so the non-blocking send does not stop short.
                connection.stream.sendall(reply)
            except OSError:
                self._close(descriptor)
                return
        if len(buffer) > _MAX_MESSAGE_BYTES:
            logger.warning("closed a single-instance connection sending too much")
            self._close(descriptor)

    def _close(self, descriptor: int) -> None:
        connection = self._connections.pop(descriptor, None)
        if connection is None:
            return
        # The notifier stops watching the descriptor before it is closed.
        connection.notifier.setEnabled(False)
        connection.notifier.deleteLater()
        connection.stream.close()


def _acquire_unix_socket(name: str, reply_timeout_ms: int) -> InstanceGuard | None:
    path = unix_socket_path(name)
    if _activate_over_unix_socket(path, reply_timeout_ms):
        return None

    # NOTE: two launches at the same moment can both find no server here, and
    # the second then replaces the first one's socket file.
    if os.path.lexists(path):
        logger.info("replacing the stale single-instance socket %s", name)
    try:
        listener = _listen_privately(path)
    except OSError as exc:
        logger.warning(
            "cannot take the single-instance guard %s: %s; running without it",
            name,
            exc,
        )
        return InstanceGuard(name)
    logger.info("single-instance guard %s taken", name)
    return UnixSocketGuard(listener, path, name)


def _listen_privately(path: str) -> socket.socket:
    """Listen on a non-blocking Unix socket at `path` that only this user may use.

    The socket is bound in a new folder that only this user can enter, given
    mode 0700 and renamed to `path`, which replaces a stale socket file there.
    Raise OSError when any step fails.
    """
    folder = tempfile.mkdtemp(prefix=".bchook-studio-", dir=os.path.dirname(path))
    staging = os.path.join(folder, "s")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(staging)
        listener.listen(_LISTEN_BACKLOG)
        os.chmod(staging, stat.S_IRWXU)
        os.replace(staging, path)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    finally:
        # After the rename there is no staging file left to remove.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staging)
        os.rmdir(folder)
    return listener


def _activate_over_unix_socket(path: str, reply_timeout_ms: int) -> bool:
    """Ask the instance listening at `path` to come to the front.

    Returns True when one accepted the connection, whether or not it replied
    within `reply_timeout_ms`, because a listening server proves it runs.
    """
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            client.connect(path)
        except OSError:
            # No file, a stale file that refuses connections, or no access.
            return False

        reply = b""
        try:
            client.sendall(ACTIVATE + b"\n")
            reply = _read_line(client, reply_timeout_ms / 1000)
        except OSError as exc:
            logger.debug("no reply from the running instance: %s", exc)
        _log_reply(reply, reply_timeout_ms)
        return True
    finally:
        client.close()


def _read_line(client: socket.socket, timeout_seconds: float) -> bytes:
    """Read up to the first new line, the end of the stream or the timeout."""
    deadline = time.monotonic() + timeout_seconds
    received = bytearray()
    while b"\n" not in received and len(received) <= _MAX_MESSAGE_BYTES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        client.settimeout(remaining)
        chunk = client.recv(_MAX_MESSAGE_BYTES)
        if not chunk:
            break
        received += chunk
    return bytes(received).split(b"\n", 1)[0].strip()


def _log_reply(reply: bytes, reply_timeout_ms: int) -> None:
    if reply == ACKNOWLEDGED:
        logger.info("the running instance came to the front")
    else:
        logger.warning(
            "the running instance did not confirm within %d ms; leaving it as is",
            reply_timeout_ms,
        )


# Windows: QLocalServer on a named pipe.


class LocalServerGuard(InstanceGuard):
    """A guard that listens with a QLocalServer."""

    def __init__(self, server: QLocalServer, name: str) -> None:
        super().__init__(name)
        self._server = server
        self._sockets: set[QLocalSocket] = set()
        server.setParent(self)
        server.newConnection.connect(self._on_new_connection)

    def is_listening(self) -> bool:
        return self._server.isListening()

    def full_server_name(self) -> str:
        return self._server.fullServerName() if self.is_listening() else ""

    def release(self) -> None:
        for local_socket in list(self._sockets):
            local_socket.abort()
        self._sockets.clear()
        if self._server.isListening():
            self._server.close()
            logger.info("released the single-instance guard %s", self._name)

    def _on_new_connection(self) -> None:
        server = self._server
        while server.hasPendingConnections():
            local_socket = server.nextPendingConnection()
            self._sockets.add(local_socket)
            local_socket.readyRead.connect(functools.partial(self._read, local_socket))
            local_socket.disconnected.connect(
                functools.partial(self._forget, local_socket)
            )
            self._read(local_socket)

    def _read(self, local_socket: QLocalSocket) -> None:
        while local_socket.canReadLine():
            message = bytes(local_socket.readLine().data()).strip()
            reply = self._reply_to(message)
            if reply is not None:
                local_socket.write(reply)
                local_socket.flush()
        if local_socket.bytesAvailable() > _MAX_MESSAGE_BYTES:
            logger.warning("closed a single-instance connection sending too much")
            local_socket.abort()

    def _forget(self, local_socket: QLocalSocket) -> None:
        self._sockets.discard(local_socket)
        local_socket.deleteLater()


def _acquire_local_server(name: str, reply_timeout_ms: int) -> InstanceGuard | None:
    from PySide6.QtNetwork import QAbstractSocket, QLocalServer

    if _activate_over_local_socket(name, reply_timeout_ms):
        return None

    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    if server.listen(name):
        logger.info("single-instance guard %s taken", name)
        return LocalServerGuard(server, name)

    if server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
        # NOTE: two launches at the same moment can both get no reply here,
        # and the second then replaces the first one's server. A second look
        # narrows that window; it does not close it.
        if _activate_over_local_socket(name, reply_timeout_ms):
            return None
        logger.info("removing the stale single-instance server %s", name)
        QLocalServer.removeServer(name)
        if server.listen(name):
            logger.info("single-instance guard %s taken", name)
            return LocalServerGuard(server, name)

    logger.warning(
        "cannot take the single-instance guard %s: %s; running without it",
        name,
        server.errorString(),
    )
    return InstanceGuard(name)


def _activate_over_local_socket(name: str, reply_timeout_ms: int) -> bool:
    """Ask the instance listening on `name` to come to the front.

    Returns True when one accepted the connection, whether or not it replied
    within `reply_timeout_ms`, because a listening server proves it runs.
    """
    from PySide6.QtNetwork import QLocalSocket

    local_socket = QLocalSocket()
    local_socket.connectToServer(name)
    if not local_socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False

    local_socket.write(ACTIVATE + b"\n")
    local_socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    reply = b""
    if local_socket.waitForReadyRead(reply_timeout_ms):
        reply = bytes(local_socket.readLine().data()).strip()
    _log_reply(reply, reply_timeout_ms)
    local_socket.disconnectFromServer()
    local_socket.close()
    return True
