"""The built-in receiver under keep-alive load from a load generator process.

Roles: `app` starts the desktop app with `bchook_studio.app.run_gui`, as the
`bchook-studio` command does, and loads the receiver of its main window, whose
Inbox dock is shown, while a 5 ms heartbeat runs on the window's event loop.
The baseline, `uvicorn`, runs uvicorn (`http="h11"`, `loop="asyncio"`) with a
minimal ASGI app that reads each body. Each role starts the load generator
(benchmarks.load_generator) as its own process once it listens, and reports
the generator's counts. The app role also reports the longest event-loop gap
from the start of the load until the Inbox lists every request. It counts the
requests the receiver recorded, and those the Inbox lists or dropped by its
memory limits.
"""

import argparse
import asyncio
import json
import subprocess
import sys

from benchmarks.probes.output import RESULT_PREFIX, emit

SETTLE_TIMEOUT_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("app", "uvicorn"))
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="per connection")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds")
    options = parser.parse_args()
    if options.role == "uvicorn":
        asyncio.run(_uvicorn(options))
    else:
        _app(options)


def _generator_command(port: int, options: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.load_generator",
        str(port),
        "--connections",
        str(options.connections),
        "--requests",
        str(options.requests),
        "--deadline",
        str(options.deadline),
    ]


def _generator_result(output: str) -> dict[str, object]:
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise SystemExit(f"the load generator printed no result: {output!r}")


async def _uvicorn(options: argparse.Namespace) -> None:
    import uvicorn

    from benchmarks.probes.asgi_app import app

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http="h11",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]

    generator = await asyncio.create_subprocess_exec(
        *_generator_command(port, options), stdout=asyncio.subprocess.PIPE
    )
    output, _ = await generator.communicate()
    server.should_exit = True
    await serving
    result = _generator_result(output.decode())
    emit({**result, "lost": result["planned"] - result["ok"]})


def _app(options: argparse.Namespace) -> None:
    from bchook_studio.app import SETTINGS_FILE_NAME, run_gui  # isort: skip

    from PySide6.QtCore import QSettings

    from bchook_studio.core.home import app_home
    from bchook_studio.gui.main_window import RECEIVER_PORT_SETTING

    # Port 0 lets the receiver take a free port, so a program that already
    # listens on the default port does not stop the run.
    settings = QSettings(
        str(app_home() / SETTINGS_FILE_NAME), QSettings.Format.IniFormat
    )
    settings.setValue(RECEIVER_PORT_SETTING, 0)
    settings.sync()

    figures: dict[str, object] = {}
    errors: list[BaseException] = []

    def on_ready(window) -> None:
        task = asyncio.ensure_future(_receive(window, options))

        def finish(done: asyncio.Future) -> None:
            try:
                figures.update(done.result())
            except Exception as exc:
                errors.append(exc)
            window.ask_before_discarding = False
            window.close()

        task.add_done_callback(finish)

    status = run_gui(on_ready)
    if errors:
        raise SystemExit(f"the receiver probe failed: {errors[0]}")
    if not figures:
        raise SystemExit(f"the app exited with status {status} before the load")
    emit(figures)


async def _receive(window, options: argparse.Namespace) -> dict[str, object]:
    from benchmarks.probes.heartbeat import Heartbeat, now

    deadline = now() + SETTLE_TIMEOUT_SECONDS
    controller = window.receiver
    while not (window.store.is_open and controller.base_url is not None):
        if now() > deadline:
            raise RuntimeError("the app's store and receiver did not start in time")
        await asyncio.sleep(0.02)
    window.inbox_dock.show()
    window.inbox_dock.raise_()
    port = int(controller.base_url.rsplit(":", 1)[1])
    await asyncio.sleep(0.3)

    panel = window.inbox
    heartbeat = Heartbeat()
    heartbeat.start()
    generator = subprocess.Popen(
        _generator_command(port, options), stdout=subprocess.PIPE, text=True
    )
    while generator.poll() is None:
        await asyncio.sleep(0.02)
    result = _generator_result(generator.stdout.read())

    log = controller.log
    deadline = now() + SETTLE_TIMEOUT_SECONDS
    while panel.model.rowCount() + controller.dropped_count < log.last_id:
        if now() > deadline:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    heartbeat.stop()

    recorded = log.last_id
    shown = panel.model.rowCount() + controller.dropped_count
    return {
        **result,
        "recorded": recorded,
        "inbox_rows": panel.model.rowCount(),
        "inbox_dropped": controller.dropped_count,
        "lost": result["planned"] - min(result["ok"], recorded, shown),
        "max_gap_ms": heartbeat.max_gap * 1000,
    }


if __name__ == "__main__":
    main()
