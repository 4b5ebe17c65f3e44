"""The app as a process: start-up, closing with a send pending, the exit status."""

import os
import subprocess
import sys
import textwrap

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


def test_close_with_pending_send_exits_cleanly(tmp_path, app_home):
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    environment["BCHOOK_STUDIO_HOME"] = str(app_home)
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
