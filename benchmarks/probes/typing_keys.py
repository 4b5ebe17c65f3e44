"""Posts one key to an editor's window and times it until the paint that shows it."""

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QPlainTextEdit

from benchmarks.probes.heartbeat import now


class KeyTimer(QObject):
    """Times keystrokes in one editor.

    An event filter on the editor's viewport performs each paint itself, through
    the editor's viewportEvent, so it can note the time the paint finished.
    """

    def __init__(self, editor: QPlainTextEdit, is_final: Callable[[int], bool]) -> None:
        super().__init__(editor)
        self._editor = editor
        self._is_final = is_final
        self._painting = False
        self._key_handled = False
        self._done: asyncio.Future[float] | None = None
        editor.installEventFilter(self)
        editor.viewport().installEventFilter(self)

    async def type_key(self, character: str, timeout: float) -> float:
        """Post one key press and release; return ms until the line shows it."""
        self._done = asyncio.get_running_loop().create_future()
        self._key_handled = False
        window = self._editor.window().windowHandle()
        key = ord(character.upper())
        started = now()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, character)
            QCoreApplication.postEvent(window, event)
        painted = await asyncio.wait_for(self._done, timeout)
        return (painted - started) * 1000

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._editor:
            if event.type() == QEvent.Type.KeyPress:
                self._key_handled = True
            return False
        if event.type() != QEvent.Type.Paint or self._painting:
            return False

        assert isinstance(event, QPaintEvent)
        waiting = self._done is not None and not self._done.done()
        shows_edit = waiting and self._key_handled and self._shows_final_line(event)
        self._painting = True
        try:
            self._editor.viewportEvent(event)
        finally:
            self._painting = False
        if shows_edit:
            assert self._done is not None
            self._done.set_result(now())
        return True

    def _shows_final_line(self, event: QPaintEvent) -> bool:
        editor = self._editor
        block = editor.textCursor().block()
        geometry = editor.blockBoundingGeometry(block).translated(
            editor.contentOffset()
        )
        covered = event.region().intersects(geometry.toAlignedRect())
        return covered and self._is_final(block.blockNumber())
