"""Typing into a 1 MB, 20,000-line template: keystroke to the paint that shows it.

Roles: `designer` types into the body editor of a shown TemplateDesigner in
Template mode. `plain`, reported for scale, types the same keys into a
QPlainTextEdit with the same text, font and no-wrap mode, and no highlighting.

Each keystroke is a key press and release posted to the window, which routes
them to the focused editor as it does keys from the window system. Its latency
ends when the editor's viewport has finished a paint that covers the edited
line after the key was handled, with that line's final formats (for the
designer: no block up to it waits to be lexed). Keys follow each other every
KEY_INTERVAL_MS, as a fast typist's do. Bursts alternate between `"k": 1,`
at the end of a line and a lone `"`, which opens a string that runs on to the
following lines. Each burst is undone, and the editor and the live preview
settle before the next one, which starts a little further down.
"""

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from benchmarks.probes.output import emit

WINDOW_SIZE = (900, 800)
KEY_INTERVAL_MS = 100
KEY_TIMEOUT_SECONDS = 10.0
SETTLE_TIMEOUT_SECONDS = 120.0
LINE_STEP = 37
"""Lines between the places of two bursts, so each starts on a fresh line."""

BURSTS = ('"k": 1,', '"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("designer", "plain"))
    parser.add_argument("template", type=Path, help="file holding the template")
    parser.add_argument("--bursts", type=int, default=8)
    options = parser.parse_args()
    text = options.template.read_text(encoding="utf-8")

    from PySide6.QtWidgets import QApplication

    from bchook_studio.gui.event_loop import BatchingEventLoop

    app = QApplication(sys.argv)
    loop = BatchingEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        latencies = loop.run_until_complete(_type(options.role, text, options.bursts))
    latencies.sort()
    emit(
        {
            "keystrokes": len(latencies),
            "p95_ms": _percentile(latencies, 0.95),
            "max_ms": latencies[-1],
            "median_ms": statistics.median(latencies),
        }
    )


async def _type(role: str, text: str, bursts: int) -> list[float]:
    from PySide6.QtGui import QTextCursor

    from benchmarks.probes.typing_keys import KeyTimer

    target = await _designer(text) if role == "designer" else await _plain(text)
    editor, is_final, settle, close = target
    timer = KeyTimer(editor, is_final)
    document = editor.document()
    middle = document.blockCount() // 2
    latencies: list[float] = []
    for number in range(bursts):
        line = middle + number * LINE_STEP
        cursor = QTextCursor(document.findBlockByNumber(line))
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        editor.setTextCursor(cursor)
        editor.centerCursor()
        await settle()
        for character in BURSTS[number % len(BURSTS)]:
            latencies.append(await timer.type_key(character, KEY_TIMEOUT_SECONDS))
            await asyncio.sleep(max(0.0, KEY_INTERVAL_MS / 1000 - latencies[-1] / 1000))
        while document.isUndoAvailable():
            editor.undo()
        await settle()
    await close()
    return latencies


async def _designer(text: str):
    from PySide6.QtWidgets import QMainWindow

    from bchook_studio.core.webhook import BodyMode
    from bchook_studio.gui.designer import TemplateDesigner
    from benchmarks.probes.heartbeat import now

    window = QMainWindow()
    designer = TemplateDesigner(window)
    window.setCentralWidget(designer)
    window.resize(*WINDOW_SIZE)
    window.show()
    designer.set_webhook_body(BodyMode.TEMPLATE, text, "")
    editor = designer.body_editor
    editor.setFocus()

    async def settle() -> None:
        deadline = now() + SETTLE_TIMEOUT_SECONDS
        editors = (editor, designer.preview.editor, designer.event_editor)
        while designer.is_rendering() or not all(
            item.highlighter.is_idle() for item in editors
        ):
            if now() > deadline:
                raise SystemExit("the designer did not settle in time")
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)

    async def close() -> None:
        await designer.aclose()
        window.close()

    await settle()
    return editor, editor.highlighter.is_final, settle, close


async def _plain(text: str):
    from PySide6.QtWidgets import QPlainTextEdit

    from bchook_studio.gui.editor.theme import editor_font

    editor = QPlainTextEdit()
    editor.setFont(editor_font())
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    editor.resize(*WINDOW_SIZE)
    editor.show()
    editor.setPlainText(text)
    editor.setFocus()

    async def settle() -> None:
        await asyncio.sleep(0.1)

    async def close() -> None:
        editor.close()

    await settle()
    return editor, lambda _block: True, settle, close


def _percentile(ordered: list[float], fraction: float) -> float:
    """Return the value below which `fraction` of the ordered samples fall
    (nearest rank)."""
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


if __name__ == "__main__":
    main()
