"""The saved webhooks list model, its filter and its two-line row delegate.

`WebhookListModel` is a thin model over the `WebhookSummary` list the store
returns, plus an optional first row for a new webhook that is not saved yet.
The model does no I/O, and renaming in place only emits `rename_requested`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QWidget

from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import RECEIVER_SCHEME, targets_receiver

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

    from bchook_studio.core.store import WebhookSummary

WEBHOOK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The webhook id of a row (int), or None for the row of an unsaved new webhook."""

DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2
"""The second line of a row: topic title and short URL."""

FORMAT_ROLE = Qt.ItemDataRole.UserRole + 5
"""The body format as the row's tag shows it: "JSON", "XML", or "" for a new row."""

UNSAVED_ROLE = Qt.ItemDataRole.UserRole + 3
"""True when the row's webhook has unsaved changes."""

SEARCH_TEXT_ROLE = Qt.ItemDataRole.UserRole + 4
"""The text the filter box matches: name, topic title and key, format, URL."""

UNSAVED_MARK = "•"

_ROW_PADDING = 5
_ROOT = QModelIndex()
_CONTEXT = "WebhooksPanel"


def _translate(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def describe_target(url: str) -> str:
    """Return a URL as the list shows it: host and path, or the built-in receiver.

    `receiver:/hooks` becomes "Built-in receiver /hooks". A URL with a query
    keeps `?…` in place of it. The URL given is already masked.
    """
    text = url.strip()
    if targets_receiver(text):
        path = text[len(RECEIVER_SCHEME) + 1 :] or "/"
        if not path.startswith("/"):
            path = "/" + path
        return _translate("Built-in receiver %1").replace("%1", path)
    if not text:
        return _translate("No URL")

    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    host = parts.netloc.rpartition("@")[2]
    short = host + parts.path
    if parts.query:
        short += "?…"
    return short


def topic_title(topic_key: str) -> str:
    """Return the catalogue title of a topic, or the key when it is unknown."""
    try:
        return find_topic(topic_key).title
    except LookupError:
        return topic_key


def detail_line(summary: WebhookSummary) -> str:
    """Return the second line of a webhook's row: topic title · target."""
    return f"{topic_title(summary.topic_key)} · {describe_target(summary.url)}"


def search_text(summary: WebhookSummary) -> str:
    """Return the text of a summary that the filter box searches, case-folded."""
    fields = (
        summary.name,
        topic_title(summary.topic_key),
        summary.topic_key,
        summary.body_format,
        summary.url,
        describe_target(summary.url),
    )
    return "\n".join(fields).casefold()


def matches_filter(text: str, query: str) -> bool:
    """True when every word of `query` occurs in `text` (case ignored)."""
    folded = text.casefold()
    return all(word in folded for word in query.casefold().split())


class WebhookListModel(QAbstractListModel):
    """The saved webhooks in the order given, and a row for an unsaved new one.

    The row of a new webhook (id None) comes first while `set_unsaved(None,
    True)` is in effect. Editing a name emits `rename_requested` and leaves the
    list unchanged, because the store decides whether the name is taken.
    """

    rename_requested = Signal(int, str)
    """A webhook id and the new name typed in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summaries: list[WebhookSummary] = []
        self._search_texts: list[str] = []
        self._unsaved_ids: set[int] = set()
        self._draft_name: str | None = None

    # Contents.

    def set_summaries(self, summaries: Sequence[WebhookSummary]) -> None:
        """Replace the list. Unsaved marks stay on ids that are still listed."""
        self.beginResetModel()
        self._summaries = list(summaries)
        self._search_texts = [search_text(summary) for summary in self._summaries]
        listed = {summary.id for summary in self._summaries}
        self._unsaved_ids &= listed
        self.endResetModel()

    def summaries(self) -> list[WebhookSummary]:
        """Return the listed summaries (the unsaved new row is not one)."""
        return list(self._summaries)

    def has_draft(self) -> bool:
        """True while the row of an unsaved new webhook is shown."""
        return self._draft_name is not None

    def set_unsaved(
        self, webhook_id: int | None, unsaved: bool, name: str | None = None
    ) -> None:
        """Mark a webhook as having unsaved changes, or clear the mark.

        `webhook_id` None shows (or hides) a first row for a new webhook that
        was never saved, named `name` or "New webhook".
        """
        if webhook_id is None:
            self._set_draft(name if unsaved else None, unsaved)
            return
        if unsaved:
            self._unsaved_ids.add(webhook_id)
        else:
            self._unsaved_ids.discard(webhook_id)
        row = self.row_of(webhook_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def is_unsaved(self, webhook_id: int | None) -> bool:
        """True when the webhook (None: the new one) is marked unsaved."""
        if webhook_id is None:
            return self.has_draft()
        return webhook_id in self._unsaved_ids

    def _set_draft(self, name: str | None, show: bool) -> None:
        label = (name or "").strip() or _translate("New webhook")
        if show and self._draft_name is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._draft_name = label
            self.endInsertRows()
        elif show:
            self._draft_name = label
            self.dataChanged.emit(self.index(0), self.index(0))
        elif self._draft_name is not None:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self._draft_name = None
            self.endRemoveRows()

    # Lookups.

    def row_of(self, webhook_id: int | None) -> int | None:
        """Return the row of a webhook id (None: the new webhook), or None."""
        if webhook_id is None:
            return 0 if self.has_draft() else None
        offset = 1 if self.has_draft() else 0
        for position, summary in enumerate(self._summaries):
            if summary.id == webhook_id:
                return position + offset
        return None

    def summary_at(self, row: int) -> WebhookSummary | None:
        """Return the summary shown in `row`, or None for the new webhook's row."""
        position = row - (1 if self.has_draft() else 0)
        if 0 <= position < len(self._summaries):
            return self._summaries[position]
        return None

    def webhook_id_at(self, row: int) -> int | None:
        """Return the webhook id of `row`, or None for the new webhook's row."""
        summary = self.summary_at(row)
        return None if summary is None else summary.id

    # QAbstractListModel.

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid():
            return 0
        return len(self._summaries) + (1 if self.has_draft() else 0)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.summary_at(index.row()) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        summary = self.summary_at(index.row())
        if summary is None:
            return self._draft_data(role)

        unsaved = summary.id in self._unsaved_ids
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{summary.name} {UNSAVED_MARK}" if unsaved else summary.name
        if role == Qt.ItemDataRole.EditRole:
            return summary.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, unsaved)
        if role == Qt.ItemDataRole.FontRole and unsaved:
            font = QFont()
            font.setItalic(True)
            return font
        if role == WEBHOOK_ID_ROLE:
            return summary.id
        if role == DETAIL_ROLE:
            return detail_line(summary)
        if role == FORMAT_ROLE:
            return summary.body_format.upper()
        if role == UNSAVED_ROLE:
            return unsaved
        if role == SEARCH_TEXT_ROLE:
            return self._search_texts[index.row() - (1 if self.has_draft() else 0)]
        return None

    def _draft_data(self, role: int) -> object:
        name = self._draft_name or ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name} {UNSAVED_MARK}"
        if role in (Qt.ItemDataRole.EditRole, SEARCH_TEXT_ROLE):
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            return _translate("Not saved yet. Press Save (Ctrl+S) to keep it.")
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        if role == DETAIL_ROLE:
            return _translate("Not saved yet")
        if role == UNSAVED_ROLE:
            return True
        return None

    def _tooltip(self, summary: WebhookSummary, unsaved: bool) -> str:
        updated = summary.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        lines = [
            summary.name,
            _translate("Topic: %1").replace("%1", topic_title(summary.topic_key)),
            _translate("Format: %1").replace("%1", summary.body_format.upper()),
            _translate("URL: %1").replace("%1", summary.url or "-"),
            _translate("Saved: %1").replace("%1", updated),
        ]
        if unsaved:
            lines.append(_translate("Unsaved changes"))
        return "\n".join(lines)

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        summary = self.summary_at(index.row())
        if summary is None:
            return False
        name = str(value).strip()
        if name == summary.name:
            return False
        # A blank name goes on too, so that the refusal is explained.
        self.rename_requested.emit(summary.id, name)
        return True


class WebhookFilterModel(QSortFilterProxyModel):
    """Shows the rows whose text contains every word typed, and always the new row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._query = ""

    @property
    def query(self) -> str:
        """The filter text in effect."""
        return self._query

    def set_query(self, text: str) -> None:
        """Filter by `text`: a row matches when it contains each of its words."""
        self.beginFilterChange()
        self._query = text.strip()
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._query:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if index.data(WEBHOOK_ID_ROLE) is None:
            return True
        return matches_filter(str(index.data(SEARCH_TEXT_ROLE)), self._query)


class WebhookDelegate(QStyledItemDelegate):
    """Paints a row in two lines: the name and format tag, then topic and target."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = option.fontMetrics
        return QSize(200, metrics.height() * 2 + _ROW_PADDING * 3)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # QStyle costs about 5 ms of enum types, so the first saved webhook
        # painted loads it, not the window's start-up.
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        name = item.text
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if item.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        text_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        detail_role = (
            QPalette.ColorRole.HighlightedText
            if selected
            else QPalette.ColorRole.PlaceholderText
        )
        name_rect, detail_rect = self._line_rects(item.rect, item.fontMetrics.height())
        detail_colour = item.palette.color(group, detail_role)

        painter.save()
        tag = str(index.data(FORMAT_ROLE) or "")
        if tag:
            tag_font = QFont(option.font)
            tag_font.setPointSizeF(option.font.pointSizeF() * 0.85)
            tag_width = QFontMetrics(tag_font).horizontalAdvance(tag)
            painter.setFont(tag_font)
            painter.setPen(detail_colour)
            painter.drawText(
                name_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                tag,
            )
            name_rect = name_rect.adjusted(0, 0, -(tag_width + 8), 0)

        name_font = QFont(item.font)
        name_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(name_font)
        painter.setPen(item.palette.color(group, text_role))
        elided = QFontMetrics(name_font).elidedText(
            name, Qt.TextElideMode.ElideRight, name_rect.width()
        )
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter, elided)

        detail_font = QFont(option.font)
        painter.setFont(detail_font)
        painter.setPen(detail_colour)
        detail = str(index.data(DETAIL_ROLE) or "")
        elided = QFontMetrics(detail_font).elidedText(
            detail, Qt.TextElideMode.ElideRight, detail_rect.width()
        )
        painter.drawText(detail_rect, Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()

    def updateEditorGeometry(  # noqa: N802 - Qt name
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        name_rect, _detail = self._line_rects(option.rect, option.fontMetrics.height())
        editor.setGeometry(name_rect.adjusted(-3, -3, 3, 3))

    @staticmethod
    def _line_rects(rect: QRect, line_height: int) -> tuple[QRect, QRect]:
        inner = rect.adjusted(_ROW_PADDING + 2, _ROW_PADDING, -_ROW_PADDING, 0)
        name_rect = QRect(inner.left(), inner.top(), inner.width(), line_height)
        detail_rect = QRect(
            inner.left(),
            name_rect.bottom() + 1 + _ROW_PADDING // 2,
            inner.width(),
            line_height,
        )
        return name_rect, detail_rect
