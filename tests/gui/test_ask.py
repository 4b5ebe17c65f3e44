"""Questions asked from coroutines: every answer comes back, none nests a loop."""

import asyncio

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bchook_studio.gui.ask import ask

BUTTONS = [
    ("Save", QMessageBox.ButtonRole.AcceptRole),
    ("Discard", QMessageBox.ButtonRole.DestructiveRole),
    ("Cancel", QMessageBox.ButtonRole.RejectRole),
]


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _open_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            return widget
    return None


@pytest.mark.parametrize(
    ("label", "expected"), [("Save", 0), ("Discard", 1), ("Cancel", 2)]
)
def test_ask_returns_clicked_button(qtbot, qloop, parent, label, expected):
    task = asyncio.ensure_future(ask(parent, "Unsaved changes", "Save?", BUTTONS))
    qtbot.waitUntil(lambda: _open_box() is not None, timeout=3000)

    box = _open_box()
    button = next(b for b in box.buttons() if b.text() == label)
    button.click()
    qtbot.waitUntil(task.done, timeout=3000)

    assert task.result() == expected


def test_ask_escape_means_reject(qtbot, qloop, parent):
    task = asyncio.ensure_future(ask(parent, "Unsaved changes", "Save?", BUTTONS))
    qtbot.waitUntil(lambda: _open_box() is not None, timeout=3000)

    _open_box().reject()
    qtbot.waitUntil(task.done, timeout=3000)

    assert task.result() == 2


def test_ask_twice_in_a_row(qtbot, qloop, parent):
    async def two_questions():
        first = await ask(parent, "First", "?", BUTTONS)
        second = await ask(parent, "Second", "?", BUTTONS)
        return first, second

    task = asyncio.ensure_future(two_questions())
    for label in ("Discard", "Save"):
        qtbot.waitUntil(lambda: _open_box() is not None, timeout=3000)
        box = _open_box()
        next(b for b in box.buttons() if b.text() == label).click()
        qtbot.waitUntil(lambda b=box: not b.isVisible(), timeout=3000)
    qtbot.waitUntil(task.done, timeout=3000)

    assert task.result() == (1, 0)


def test_cancelled_question_closes_box(qtbot, qloop, parent):
    task = asyncio.ensure_future(ask(parent, "Unsaved changes", "Save?", BUTTONS))
    qtbot.waitUntil(lambda: _open_box() is not None, timeout=3000)

    task.cancel()
    qtbot.waitUntil(task.done, timeout=3000)

    assert task.cancelled()
    assert _open_box() is None
