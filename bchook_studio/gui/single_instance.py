"""One GUI instance per app home folder, guarded by a QLocalServer.

The server name comes from a hash of the user name and the resolved home
folder, so two homes (a portable copy, a test home) run side by side. A
second launch for the same home connects, sends "activate", waits until the
first instance replies "ok" once its window is in front, and exits. Only
the GUI start takes the guard; CLI sub-commands never do.

On Unix the server is a socket file in the temporary folder, which a crash
leaves behind. A socket file that accepts no connection is stale and is
removed.
"""

import functools
import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

logger = logging.getLogger(__name__)

ACTIVATE = b"activate"
ACKNOWLEDGED = b"ok"
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
"""Milliseconds a second launch waits for the first instance to reply."""

_MAX_MESSAGE_BYTES = 256


def server_name(home: Path) -> str:
    """Return the local server name for an app home folder and the current user."""
    resolved = Path(home).expanduser().resolve()
    key = f"{_user_name()}\0{resolved}".encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(key).hexdigest()[:32]
    return f"bchook-studio-{digest}"


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):
        # No USER variable and no password database entry (some containers).
        return ""


class InstanceGuard(QObject):
    """The running instance's claim on its home folder.

    `activation_requested` is emitted when a second launch requests that this
    instance come to the front. The app connects it to `bring_to_front(window)`.
    """

    activation_requested = Signal()

    def __init__(self, server: QLocalServer | None, name: str) -> None:
        super().__init__()
        self._server = server
        self._name = name
        self._sockets: set[QLocalSocket] = set()
        if server is not None:
            server.setParent(self)
            server.newConnection.connect(self._on_new_connection)

    @property
    def name(self) -> str:
        """Return the local server name of this home folder."""
        return self._name

    def is_listening(self) -> bool:
        """True while the guard holds the name; False when it could not take it."""
        return self._server is not None and self._server.isListening()

    def full_server_name(self) -> str:
        """Return the socket path (Unix) or pipe name (Windows), or '' when not
        listening."""
        return self._server.fullServerName() if self.is_listening() else ""

    def release(self) -> None:
        """Stop listening, so that a later launch becomes the running instance."""
        for socket in list(self._sockets):
            socket.abort()
        self._sockets.clear()
        if self._server is not None and self._server.isListening():
            self._server.close()
            logger.info("released the single-instance guard %s", self._name)

    def _on_new_connection(self) -> None:
        server = self._server
        assert server is not None
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            self._sockets.add(socket)
            socket.readyRead.connect(functools.partial(self._read, socket))
            socket.disconnected.connect(functools.partial(self._forget, socket))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            message = bytes(socket.readLine().data()).strip()
            if message == ACTIVATE:
                logger.info("another launch asked this instance to come to the front")
                self.activation_requested.emit()
                socket.write(ACKNOWLEDGED + b"\n")
                socket.flush()
            else:
                logger.warning(
                    "ignored an unknown single-instance message of %d bytes",
                    len(message),
                )
        if socket.bytesAvailable() > _MAX_MESSAGE_BYTES:
            logger.warning("closed a single-instance connection sending too much")
            socket.abort()

    def _forget(self, socket: QLocalSocket) -> None:
        self._sockets.discard(socket)
        socket.deleteLater()


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
    if _activate_running_instance(name, reply_timeout_ms):
        return None

    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    if server.listen(name):
        logger.info("single-instance guard %s taken", name)
        return InstanceGuard(server, name)

    if server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
        # NOTE: two launches at the same moment can both get no reply here,
        # and the second then replaces the first one's socket file. A second
        # look narrows that window; it does not close it.
        if _activate_running_instance(name, reply_timeout_ms):
            return None
        logger.info("removing the stale single-instance socket %s", name)
        QLocalServer.removeServer(name)
        if server.listen(name):
            logger.info("single-instance guard %s taken", name)
            return InstanceGuard(server, name)

    logger.warning(
        "cannot take the single-instance guard %s: %s; running without it",
        name,
        server.errorString(),
    )
    return InstanceGuard(None, name)


def _activate_running_instance(name: str, reply_timeout_ms: int) -> bool:
    """Ask the instance listening on `name` to come to the front.

    Returns True when one accepted the connection, whether or not it replied
    within `reply_timeout_ms`, because a listening server proves it runs.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False

    socket.write(ACTIVATE + b"\n")
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    reply = b""
    if socket.waitForReadyRead(reply_timeout_ms):
        reply = bytes(socket.readLine().data()).strip()
    if reply == ACKNOWLEDGED:
        logger.info("the running instance came to the front")
    else:
        logger.warning(
            "the running instance did not confirm within %d ms; leaving it as is",
            reply_timeout_ms,
        )
    socket.disconnectFromServer()
    socket.close()
    return True


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
