"""Questions asked from coroutines without nesting an event loop.

`QMessageBox.exec()` inside a coroutine on the qasync loop runs a nested event
loop in which other tasks cannot be entered ("Cannot enter into task"), so a
coroutine opens the box with `open()` and awaits a future set by its signal.
"""

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

ButtonSpec = tuple[str, QMessageBox.ButtonRole]


async def ask(
    parent: QWidget,
    title: str,
    text: str,
    buttons: Sequence[ButtonSpec],
    *,
    informative: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    default: int = 0,
) -> int:
    """Show a window-modal question and return the index of the button clicked.

    Closing the box with Escape returns the index of the button whose role is
    RejectRole, or -1 when there is none.
    """
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    added = [box.addButton(label, role) for label, role in buttons]
    if added:
        box.setDefaultButton(added[default])

    answered: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_finished(_result: int) -> None:
        clicked = box.clickedButton()
        index = added.index(clicked) if clicked in added else _reject_index(buttons)
        if not answered.done():
            answered.set_result(index)

    box.finished.connect(on_finished)
    box.open()
    try:
        return await answered
    except asyncio.CancelledError:
        # The question no longer matters, for example because the window closes.
        box.finished.disconnect(on_finished)
        box.close()
        raise
    finally:
        # Deleted later, after Qt has finished delivering the box's signals.
        box.deleteLater()


def _reject_index(buttons: Sequence[ButtonSpec]) -> int:
    for index, (_label, role) in enumerate(buttons):
        if role == QMessageBox.ButtonRole.RejectRole:
            return index
    return -1


def inform(parent: QWidget, title: str, text: str, *, warning: bool = False) -> None:
    """Show a message without blocking anything; the user closes it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
