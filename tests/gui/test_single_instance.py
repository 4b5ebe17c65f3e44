"""One GUI instance per app home: a second launch activates the first and exits."""

import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, Qt
from PySide6.QtWidgets import QWidget

from bchook_studio.gui import single_instance as guard_module
from bchook_studio.gui.single_instance import (
    acquire_instance,
    bring_to_front,
    server_name,
    unix_socket_path,
)
from tests.gui.inbox_support import recorder

WAIT_MS = 20_000
REPO = Path(__file__).resolve().parents[2]

SECOND_LAUNCH = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from bchook_studio.gui.single_instance import acquire_instance

    logging.basicConfig(level=logging.INFO)
    app = QCoreApplication(sys.argv)
    home = Path(sys.argv[1])
    if sys.argv[2:] == ["local_server"]:
        from bchook_studio.gui import single_instance
        name = single_instance.server_name(home)
        guard = single_instance._acquire_local_server(name, 3000)
    else:
        guard = acquire_instance(home)
    sys.exit(0 if guard is None else 3)
    """
)


FIRST_GUI = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from bchook_studio.app import run_gui
    from bchook_studio.gui import single_instance

    show = single_instance.bring_to_front

    def bring_to_front(window):
        show(window)
        print("activated", flush=True)
        QTimer.singleShot(100, window.close)

    single_instance.bring_to_front = bring_to_front
    status = run_gui(lambda window: print("ready", flush=True))
    print("exit:", status, flush=True)
    sys.exit(status)
    """
)

SECOND_GUI = "import sys; from bchook_studio.app import run_gui; sys.exit(run_gui())"


@pytest.fixture
def guards():
    """Collect guards and release them after the test."""
    taken = []
    yield taken
    for guard in taken:
        guard.release()


def _acquire(guards: list, home: Path, **options):
    guard = acquire_instance(home, **options)
    if guard is not None:
        guards.append(guard)
    return guard


def test_second_acquire_activates_first(qtbot, tmp_path, guards):
    first = _acquire(guards, tmp_path)
    assert first is not None
    assert first.is_listening()
    activations, record = recorder()
    first.activation_requested.connect(lambda: record("activate"))

    second = _acquire(guards, tmp_path, reply_timeout_ms=50)

    assert second is None
    qtbot.waitUntil(lambda: activations == ["activate"], timeout=WAIT_MS)


def test_other_home_has_own_guard(tmp_path, guards):
    first = _acquire(guards, tmp_path / "one")
    second = _acquire(guards, tmp_path / "two")
    assert first is not None
    assert second is not None
    assert first.is_listening()
    assert second.is_listening()
    assert first.name != second.name


def test_same_folder_same_name(tmp_path):
    (tmp_path / "home").mkdir()
    assert server_name(tmp_path / "home") == server_name(tmp_path / "home" / ".")
    assert server_name(tmp_path / "home") == server_name(tmp_path / "x" / ".." / "home")


def test_name_is_the_sha256_of_user_and_folder(tmp_path):
    import hashlib

    home = tmp_path / "home"
    key = f"{guard_module._user_name()}\0{home.resolve()}".encode()

    expected = "bchook-studio-" + hashlib.sha256(key).hexdigest()[:32]
    assert server_name(home) == expected


def test_user_name_is_the_one_getpass_finds(monkeypatch):
    import getpass

    assert guard_module._user_name() == getpass.getuser()
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(variable, raising=False)
    assert guard_module._user_name() == getpass.getuser()


def test_release_lets_next_launch_run(tmp_path, guards):
    first = _acquire(guards, tmp_path)
    first.release()
    assert not first.is_listening()
    second = _acquire(guards, tmp_path)
    assert second is not None
    assert second.is_listening()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file")
def test_stale_socket_recovered(tmp_path, guards):
    path = os.path.join(QDir.tempPath(), server_name(tmp_path))
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()
    assert os.path.exists(path)

    guard = _acquire(guards, tmp_path, reply_timeout_ms=50)

    assert guard is not None
    assert guard.is_listening()
    assert guard.full_server_name() == path


def _run_second_launch(
    qtbot, home: Path, *, backend: str = "default"
) -> subprocess.CompletedProcess:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", SECOND_LAUNCH, str(home), backend],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # waitUntil keeps processing events, so this process's server replies.
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=WAIT_MS)
    finally:
        if process.poll() is None:
            process.kill()
    stdout, stderr = process.communicate(timeout=10)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_second_process_exits_zero(qtbot, tmp_path, guards):
    first = _acquire(guards, tmp_path)
    activations, record = recorder()
    first.activation_requested.connect(lambda: record("activate"))

    finished = _run_second_launch(qtbot, tmp_path)

    assert finished.returncode == 0
    assert "came to the front" in finished.stderr
    assert activations == ["activate"]


def test_cli_runs_while_guard_held(tmp_path, guards):
    _acquire(guards, tmp_path)
    environment = dict(os.environ, BCHOOK_STUDIO_HOME=str(tmp_path))
    finished = subprocess.run(
        [sys.executable, "-m", "bchook_studio", "topics"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0
    assert "course.enrollment" in finished.stdout


def test_bring_to_front_restores_minimised(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert not window.windowState() & Qt.WindowState.WindowMinimized
    assert window.isVisible()


def test_second_gui_launch_activates_first(tmp_path):
    environment = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", BCHOOK_STUDIO_HOME=str(tmp_path)
    )
    first = subprocess.Popen(
        [sys.executable, "-c", FIRST_GUI],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout.readline().strip() == "ready"
        second = subprocess.run(
            [sys.executable, "-c", SECOND_GUI],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        stdout, stderr = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()

    assert second.returncode == 0, second.stderr
    assert first.returncode == 0, stderr
    assert stdout.splitlines() == ["activated", "exit: 0"]
    log = (tmp_path / "bchook-studio.log").read_text()
    assert "asked to show itself" in log


unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets only")


def _connect(path: str) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(WAIT_MS / 1000)
    client.connect(path)
    return client


@unix_only
def test_socket_path_is_qt_path(tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    path = os.path.join(QDir.tempPath(), server_name(tmp_path))
    assert unix_socket_path(server_name(tmp_path)) == path
    assert guard.full_server_name() == path


@unix_only
def test_socket_only_for_user(tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    mode = os.stat(guard.full_server_name()).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == stat.S_IRWXU


@unix_only
def test_acquire_leaves_no_staging_folder(tmp_path, guards):
    # Only the app's names are compared: other programs write to the shared
    # temporary folder at the same time.
    def app_entries() -> set[str]:
        return {name for name in os.listdir(QDir.tempPath()) if "bchook-studio" in name}

    before = app_entries()
    _acquire(guards, tmp_path)
    added = app_entries() - before

    assert added == {server_name(tmp_path)}


@unix_only
def test_release_removes_socket_file(tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    path = guard.full_server_name()
    guard.release()
    assert not os.path.exists(path)
    assert guard.full_server_name() == ""


@unix_only
def test_release_keeps_newer_socket(tmp_path, guards):
    first = _acquire(guards, tmp_path)
    path = first.full_server_name()
    os.unlink(path)
    newer = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    newer.bind(path)
    try:
        first.release()
        assert os.path.exists(path)
    finally:
        newer.close()
        os.unlink(path)


@unix_only
def test_split_request_activates(qtbot, tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    activations, record = recorder()
    guard.activation_requested.connect(lambda: record("activate"))
    client = _connect(guard.full_server_name())
    try:
        client.sendall(b"acti")
        qtbot.wait(20)
        client.sendall(b"vate\n")
        qtbot.waitUntil(lambda: activations == ["activate"], timeout=WAIT_MS)
        client.setblocking(False)
        qtbot.waitUntil(lambda: _received(client) == b"ok\n", timeout=WAIT_MS)
    finally:
        client.close()


def _received(client: socket.socket) -> bytes:
    try:
        return client.recv(64)
    except BlockingIOError:
        return b""


@unix_only
def test_unknown_request_ignored(qtbot, tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    activations, record = recorder()
    guard.activation_requested.connect(lambda: record("activate"))
    client = _connect(guard.full_server_name())
    try:
        client.sendall(b"shutdown\nactivate\n")
        qtbot.waitUntil(lambda: activations == ["activate"], timeout=WAIT_MS)
    finally:
        client.close()
    assert activations == ["activate"]


@unix_only
def test_long_request_closes_connection(qtbot, tmp_path, guards):
    guard = _acquire(guards, tmp_path)
    activations, record = recorder()
    guard.activation_requested.connect(lambda: record("activate"))
    client = _connect(guard.full_server_name())
    try:
        client.sendall(b"x" * 300)
        client.setblocking(False)
        qtbot.waitUntil(lambda: _closed_by_peer(client), timeout=WAIT_MS)
    finally:
        client.close()
    assert activations == []


def _closed_by_peer(client: socket.socket) -> bool:
    try:
        return client.recv(64) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


@unix_only
def test_local_server_guard_activated(qtbot, tmp_path, guards):
    """The QLocalServer guard (used on Windows, and by earlier versions on Unix)
    and the Unix socket client reach each other."""
    name = server_name(tmp_path)
    first = guard_module._acquire_local_server(name, 50)
    guards.append(first)
    activations, record = recorder()
    first.activation_requested.connect(lambda: record("activate"))
    assert first.is_listening()
    assert first.full_server_name() == unix_socket_path(name)

    second = _acquire(guards, tmp_path, reply_timeout_ms=50)

    assert second is None
    qtbot.waitUntil(lambda: activations == ["activate"], timeout=WAIT_MS)


@unix_only
def test_local_socket_client_activates(qtbot, tmp_path, guards):
    first = _acquire(guards, tmp_path)
    activations, record = recorder()
    first.activation_requested.connect(lambda: record("activate"))

    finished = _run_second_launch(qtbot, tmp_path, backend="local_server")

    assert finished.returncode == 0
    assert "came to the front" in finished.stderr
    assert activations == ["activate"]
