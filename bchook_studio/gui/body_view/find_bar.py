"""The find bar under a body view: a search field, Match case, and the result."""

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QToolButton, QWidget

from bchook_studio.gui.elided_label import ElidedLabel

logger = logging.getLogger(__name__)

FIELD_MIN_CHARACTERS = 16
"""The search field keeps room for this many average characters in a narrow view."""


class FindBar(QWidget):
    """Collects what to find; the view that owns it runs the search."""

    search_edited = Signal()
    """The search text or Match case changed: search again from the match start."""

    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = QLineEdit(self)
        self._field.setClearButtonEnabled(True)
        # Taken from the font the bar starts with: the view's monospaced font,
        # which the bar gets later, would take room from the status label.
        self._field_minimum = (
            self._field.fontMetrics().averageCharWidth() * FIELD_MIN_CHARACTERS
        )
        self._match_case = QCheckBox(self)
        self._previous = QToolButton(self)
        self._previous.setArrowType(Qt.ArrowType.UpArrow)
        self._next = QToolButton(self)
        self._next.setArrowType(Qt.ArrowType.DownArrow)
        self._status = ElidedLabel(self)
        self._close = QToolButton(self)
        self._close.setAutoRaise(True)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self._field, 2)
        layout.addWidget(self._previous)
        layout.addWidget(self._next)
        layout.addWidget(self._match_case)
        layout.addWidget(self._status, 3)
        layout.addWidget(self._close)
        self.setAutoFillBackground(True)

        self._field.textEdited.connect(self._on_search_edited)
        self._match_case.toggled.connect(self._on_search_edited)
        self._field.returnPressed.connect(self.next_requested)
        self._next.clicked.connect(self.next_requested)
        self._previous.clicked.connect(self.previous_requested)
        self._close.clicked.connect(self.closed)
        self._field.installEventFilter(self)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._field.setPlaceholderText(self.tr("Find"))
        self._fit_field_to_placeholder()
        self._match_case.setText(self.tr("Match case"))
        self._previous.setToolTip(self.tr("Find the previous match (Shift+F3)"))
        self._next.setToolTip(self.tr("Find the next match (Enter, F3)"))
        self._close.setText("×")
        self._close.setToolTip(self.tr("Close the find bar (Esc)"))

    def _fit_field_to_placeholder(self) -> None:
        """Keep the field wide enough for its placeholder and the clear button,
        and for FIELD_MIN_CHARACTERS average characters in any case."""
        metrics = self._field.fontMetrics()
        placeholder = metrics.horizontalAdvance(self._field.placeholderText())
        # The clear button takes about a line's height, and the frame and the
        # text margins a few pixels on each side.
        needed = placeholder + metrics.height() + 16
        self._field.setMinimumWidth(max(needed, self._field_minimum))

    @property
    def field(self) -> QLineEdit:
        return self._field

    @property
    def match_case_box(self) -> QCheckBox:
        return self._match_case

    @property
    def status_label(self) -> ElidedLabel:
        return self._status

    def needle(self) -> str:
        return self._field.text()

    def match_case(self) -> bool:
        return self._match_case.isChecked()

    def open(self, needle: str | None = None) -> None:
        """Show the bar with the focus in its field, optionally filled in."""
        if needle:
            self._field.setText(needle)
        self.show()
        self._field.setFocus()
        self._field.selectAll()

    def show_searching(self) -> None:
        self._status.set_elided_text(self.tr("Searching…"))

    def show_result(
        self, found: bool, wrapped: bool, searched_all: bool = True
    ) -> None:
        """Show how a search ended; `searched_all` is False when the view shows
        only the start of the body."""
        if not found and not searched_all:
            self._status.set_elided_text(self.tr("Not in the part shown"))
        elif not found:
            self._status.set_elided_text(self.tr("Not found"))
        elif wrapped:
            self._status.set_elided_text(self.tr("Found after wrapping around"))
        else:
            self._status.set_elided_text("")

    def clear_status(self) -> None:
        self._status.set_elided_text("")

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if watched is self._field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.closed.emit()
                return True
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shift:
                self.previous_requested.emit()
                return True
        return super().eventFilter(watched, event)

    def _on_search_edited(self) -> None:
        self.search_edited.emit()
