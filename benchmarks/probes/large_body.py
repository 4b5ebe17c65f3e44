"""A 10 MB response body on one line, from `show_result` to the first screenful.

Roles: `view` hands the body to a visible ResponsePane and times until its body
view emits `screen_ready`: the first paint with every visible line
pretty-printed and in its final colours. Meanwhile a 5 ms heartbeat records the
longest event-loop gap, from `show_result` until the whole text is indexed and
highlighting has stopped. The worker process is started and ready first, as it
is when a send starts (`show_pending`). The baseline, `parse`, runs
json.loads + json.dumps(indent=2), or lxml parse + pretty serialize, on the
same bytes in a fresh process.
"""

import argparse
import asyncio
import sys
from pathlib import Path

from benchmarks.probes.output import emit

PANE_SIZE = (700, 900)
SETTLE_TIMEOUT_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("view", "parse"))
    parser.add_argument("language", choices=("json", "xml"))
    parser.add_argument("body", type=Path, help="file holding the body")
    options = parser.parse_args()
    body = options.body.read_bytes()
    if options.role == "parse":
        emit(_parse(body, options.language))
    else:
        emit(_view(body, options.language))


def _parse(body: bytes, language: str) -> dict[str, object]:
    from benchmarks.probes.heartbeat import now

    if language == "json":
        import json

        started = now()
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        elapsed = now() - started
    else:
        from lxml import etree

        started = now()
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(body, parser)
        text = etree.tostring(root, pretty_print=True, encoding="unicode")
        elapsed = now() - started
    return {"elapsed_ms": elapsed * 1000, "text_chars": len(text)}


def _view(body: bytes, language: str) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from bchook_studio.core import workers
    from bchook_studio.gui.event_loop import BatchingEventLoop

    app = QApplication(sys.argv)
    loop = BatchingEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        figures = loop.run_until_complete(_show(body, language))
    workers.shutdown()
    return figures


async def _show(body: bytes, language: str) -> dict[str, object]:
    from datetime import UTC, datetime

    from bchook_studio.core import workers
    from bchook_studio.core.delivery.result import DeliveryResult, ReceivedResponse
    from bchook_studio.gui.response_pane import ResponsePane
    from benchmarks.probes.heartbeat import Heartbeat, now

    pane = ResponsePane()
    pane.resize(*PANE_SIZE)
    pane.show()
    url = "http://127.0.0.1:9/benchmark"
    pane.show_pending(url)
    await workers.default_pool().run(_ready)
    await asyncio.sleep(0.2)

    response = ReceivedResponse(
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=(("Content-Type", f"application/{language}"),),
        body=body,
        size=len(body),
    )
    result = DeliveryResult(
        url=url, started_at=datetime.now(UTC), elapsed_ms=1.0, response=response
    )
    view = pane.body_view
    first_screen = asyncio.get_running_loop().create_future()

    def on_body_shown() -> None:
        view.screen_ready.connect(on_screen_ready)

    def on_screen_ready() -> None:
        if not first_screen.done():
            first_screen.set_result(now())

    pane.body_shown.connect(on_body_shown)
    heartbeat = Heartbeat()
    started = now()
    heartbeat.start(started)
    pane.show_result(result)
    shown = await asyncio.wait_for(first_screen, SETTLE_TIMEOUT_SECONDS)

    deadline = now() + SETTLE_TIMEOUT_SECONDS
    while not (view.line_index().is_complete() and view.highlighter.is_idle()):
        if now() > deadline:
            raise SystemExit("the body view did not settle in time")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    heartbeat.stop()

    figures = {
        "elapsed_ms": (shown - started) * 1000,
        "max_gap_ms": heartbeat.max_gap * 1000,
        "text_chars": len(view.text()),
        "lines": view.line_count(),
        "language": view.language(),
    }
    pane.close()
    await pane.aclose()
    return figures


def _ready() -> bool:
    return True


if __name__ == "__main__":
    main()
