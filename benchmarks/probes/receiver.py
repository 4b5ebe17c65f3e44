"""The built-in receiver under keep-alive load from a load generator process.

Roles: `app` runs the receiver inside a GUI process as the app does, through a
ReceiverController with a visible InboxPanel and a 5 ms heartbeat. The
baseline, `uvicorn`, runs uvicorn (`http="h11"`, `loop="asyncio"`) with a
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

INBOX_SIZE = (1300, 420)
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
    from PySide6.QtWidgets import QApplication

    from bchook_studio.gui.event_loop import BatchingEventLoop

    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    loop = BatchingEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        figures = loop.run_until_complete(_receive(options))
    emit(figures)


async def _receive(options: argparse.Namespace) -> dict[str, object]:
    from bchook_studio.gui.inbox import InboxPanel
    from bchook_studio.gui.receiver_controller import ReceiverController
    from benchmarks.probes.heartbeat import Heartbeat, now

    controller = ReceiverController()
    panel = InboxPanel(controller)
    panel.resize(*INBOX_SIZE)
    panel.show()
    if not await controller.start(port=0):
        raise SystemExit("the receiver did not start")
    port = int(controller.base_url.rsplit(":", 1)[1])
    await asyncio.sleep(0.3)

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
    await panel.aclose()
    await controller.aclose()
    panel.close()
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
