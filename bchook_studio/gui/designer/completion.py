"""Field completion for `{{ … }}` placeholders: what to offer, and where it applies."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QWidget

from bchook_studio.core.templates import HELPER_EXPRESSIONS, field_paths
from bchook_studio.core.templates.time_text import format_iso
from bchook_studio.core.topics import Topic
from bchook_studio.gui.designer.values import describe_value

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

logger = logging.getLogger(__name__)

SEPARATOR = " — "
"""Between an expression and its example value in the completion list."""

# A placeholder opened on the line before the cursor and not closed since.
_OPEN_PLACEHOLDER = re.compile(r"\{\{[-+]?(?P<inside>(?:(?!\}\}|\{\{).)*)\Z")
# The expression typed so far: names, dots, and bracketed keys or indexes.
_PATH_PREFIX = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*(?:\.|\[[^\]\s]*\]?)*)*")


@dataclass(frozen=True)
class CompletionEntry:
    """One completion: the expression to insert and an example of its value."""

    expression: str
    example: str


def completion_entries(
    event: Mapping[str, Any], topic: Topic | None
) -> list[CompletionEntry]:
    """List what a placeholder can name: every event field, then the helpers.

    Event fields come in event order, with their values as examples. Helpers
    that take an argument (`studio.raw(text)`) are left out, because inserting
    one without its argument does not render.
    """
    entries = [
        CompletionEntry(expression, describe_value(value))
        for expression, value in field_paths(event)
    ]
    entries.append(CompletionEntry("event", describe_value(event)))
    for expression in HELPER_EXPRESSIONS:
        if "(" in expression and not expression.endswith("()"):
            continue
        entries.append(CompletionEntry(expression, _helper_example(expression, topic)))
    return entries


def _helper_example(expression: str, topic: Topic | None) -> str:
    if expression == "topic.key":
        return describe_value(topic.key) if topic is not None else ""
    if expression == "topic.title":
        return describe_value(topic.title) if topic is not None else ""
    now = datetime.now(UTC)
    if expression == "studio.now_iso()":
        return describe_value(format_iso(now))
    if expression == "studio.now_unix()":
        return str(int(now.timestamp()))
    if expression == "studio.uuid()":
        return "a new random UUID"
    return ""


def placeholder_prefix(text_before_cursor: str) -> str | None:
    """Return the expression typed so far inside an open `{{`, or None.

    `text_before_cursor` is the current line up to the cursor. None means the
    cursor is not in a placeholder, or what is typed there is more than a
    field path (a filter, an operator, a string).
    """
    match = _OPEN_PLACEHOLDER.search(text_before_cursor)
    if match is None:
        return None
    inside = match.group("inside")
    prefix = inside.lstrip()
    if _PATH_PREFIX.fullmatch(prefix) is None:
        return None
    if not prefix and inside == "":
        # Right after `{{`: the user may still type `-` or a space.
        return None
    return prefix


def closes_placeholder(text_after_cursor: str) -> bool:
    """True when the rest of the line closes the placeholder the cursor is in."""
    closing = text_after_cursor.find("}}")
    if closing < 0:
        return False
    opening = text_after_cursor.find("{{")
    return opening < 0 or closing < opening


class FieldCompletionModel(QAbstractListModel):
    """The completion entries: the display shows "expression — example"; the
    edit role, which the completer matches and inserts, is the expression."""

    ExampleRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[CompletionEntry] = []

    def set_entries(self, entries: list[CompletionEntry]) -> None:
        """Replace the entries."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[CompletionEntry]:
        return list(self._entries)

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._entries)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if not entry.example:
                return entry.expression
            return f"{entry.expression}{SEPARATOR}{entry.example}"
        if role == Qt.ItemDataRole.EditRole:
            return entry.expression
        if role == self.ExampleRole:
            return entry.example
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.example or None
        return None


class CompletionDelegate(QStyledItemDelegate):
    """Paints "expression — example" with the example in a quieter colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # QStyle costs about 5 ms of enum types, so the completion popup loads
        # it, not the window's start-up.
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        expression = str(index.data(Qt.ItemDataRole.EditRole) or "")
        example = str(index.data(FieldCompletionModel.ExampleRole) or "")
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        text_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect: QRect = style.subElementRect(
            QStyle.SubElement.SE_ItemViewItemText, item, widget
        )
        metrics = option.fontMetrics  # type: ignore[attr-defined]
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft

        painter.save()
        painter.setPen(palette.color(text_role))
        name = metrics.elidedText(expression, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, flags, name)
        used = metrics.horizontalAdvance(name)
        if example and used < rect.width():
            rest = QRect(
                rect.left() + used, rect.top(), rect.width() - used, rect.height()
            )
            if not selected:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rest,
                flags,
                metrics.elidedText(
                    SEPARATOR + example, Qt.TextElideMode.ElideRight, rest.width()
                ),
            )
        painter.restore()
