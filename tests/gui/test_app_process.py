"""The app as a process: closing with a send pending, stop signals, exit status."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.servers import RawServer, never_answer

DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from bchook_studio.app import run_gui

    def ready(window):
        window.ask_before_discarding = False
        window.form.url_edit.setText(sys.argv[1])
        window.controller.finished.connect(lambda result: report(window))
        window.send_action.trigger()
        QTimer.singleShot(700, window.close)

    def report(window):
        print("shown:", window.response_pane.status_label.text(), flush=True)

    # The guard keeps spawned worker processes, which import this script as
    # their main module, from starting a second app.
    if __name__ == "__main__":
        status = run_gui(ready)
        print("exit:", status, flush=True)
        sys.exit(status)
    """
)


def app_environment(app_home) -> dict[str, str]:
    """Return the environment of an offscreen app process with its own home."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "BCHOOK_STUDIO_HOME": str(app_home),
    }


def test_close_with_pending_send_exits_cleanly(tmp_path, app_home):
    environment = app_environment(app_home)
    with RawServer(never_answer) as server:
        completed = subprocess.run(
            [sys.executable, "-c", DRIVER, server.url],
            capture_output=True,
            text=True,
            timeout=30,
            env=environment,
            check=False,
        )

    assert completed.returncode == 0, completed.stderr
    assert "exit: 0" in completed.stdout
    assert "shown: Cancelled" in completed.stdout
    assert "Task was destroyed" not in completed.stderr
    assert "CancelledError" not in completed.stderr
    assert "Traceback" not in completed.stderr
    log = (app_home / "bchook-studio.log").read_text()
    assert "stopped" in log


SIGNAL_DRIVER = textwrap.dedent(
    """
    import sys
    from bchook_studio.app import run_gui

    def ready(window):
        window.ask_before_discarding = False
        print("ready", flush=True)

    if __name__ == "__main__":
        status = run_gui(ready)
        print("exit:", status, flush=True)
        sys.exit(status)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_stop_signal_closes_app_in_order(app_home, stop_signal):
    environment = app_environment(app_home)
    process = subprocess.Popen(
        [sys.executable, "-c", SIGNAL_DRIVER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout.readline() == "ready\n"
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait(timeout=10)

    assert process.returncode == 130, err
    assert "exit: 130" in out
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    log = (app_home / "bchook-studio.log").read_text()
    assert f"received signal {int(stop_signal)}; closing" in log
    assert "stopped" in log


STALLED_CLOSE_DRIVER = textwrap.dedent(
    """
    import asyncio
    import sys
    from bchook_studio.app import run_gui

    def ready(window):
        window.ask_before_discarding = False

        async def never_closes():
            await asyncio.Event().wait()

        window.inbox.aclose = never_closes
        print("ready", flush=True)

    if __name__ == "__main__":
        sys.exit(run_gui(ready))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_signal_during_stalled_close_stops_at_once(app_home):
    environment = app_environment(app_home)
    process = subprocess.Popen(
        [sys.executable, "-c", STALLED_CLOSE_DRIVER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    log_path = app_home / "bchook-studio.log"
    try:
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while "closing the window" not in log_path.read_text():
            assert time.monotonic() < deadline, "the close did not start"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    finally:
        process.kill()
        process.communicate(timeout=10)

    assert process.returncode == -signal.SIGTERM
    assert "signal 15 while closing; stopping at once" in log_path.read_text()


CANCELLED_CLOSE_DRIVER = textwrap.dedent(
    """
    import os
    import signal
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox
    from bchook_studio.app import run_gui

    def ready(window):
        window.form.name_edit.setText("Unsaved")
        window.form.name_edit.textEdited.emit("Unsaved")
        QTimer.singleShot(200, lambda: os.kill(os.getpid(), signal.SIGINT))
        QTimer.singleShot(100, lambda: cancel(window, 100))

    def cancel(window, tries):
        # Polls for the question, which a busy machine can show late.
        boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        if not boxes:
            if tries > 0:
                QTimer.singleShot(100, lambda: cancel(window, tries - 1))
            else:
                close(window)
            return
        next(b for b in boxes[0].buttons() if b.text() == "Cancel").click()
        QTimer.singleShot(300, lambda: close(window))

    def close(window):
        print("still open:", window.isVisible(), flush=True)
        window.ask_before_discarding = False
        window.close()

    if __name__ == "__main__":
        status = run_gui(ready)
        print("exit:", status, flush=True)
        sys.exit(status)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_cancelled_signal_close_exits_zero_later(app_home):
    environment = app_environment(app_home)

    completed = subprocess.run(
        [sys.executable, "-c", CANCELLED_CLOSE_DRIVER],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )

    assert "still open: True" in completed.stdout, completed.stderr
    assert "exit: 0" in completed.stdout
    assert completed.returncode == 0
