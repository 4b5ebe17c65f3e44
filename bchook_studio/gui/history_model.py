"""The history table model: a thin Qt model over `HistorySummary` rows.

Rows arrive a page at a time: the view calls `canFetchMore` and `fetchMore`
when it scrolls to the end, the model emits `more_requested`, and its owner
queries the next page and calls `append_entries`. The model itself does no I/O.
"""

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.store import HistorySummary
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.webhook_list_model import topic_title

ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The history entry id of a row (int), on every column."""

STATUS_COLOURS = {
    "1xx": "#5b6b7b",
    "2xx": "#1e7e34",
    "3xx": "#1f5fa8",
    "4xx": "#b35900",
    "5xx": "#b02a37",
    "failed": "#b02a37",
    "cancelled": "#5b6b7b",
}
"""Text colours of the Status column, the same as the response pane's badges."""

_CONTEXT = "HistoryPanel"


class Column(IntEnum):
    """The columns of the history table in display order. The URL takes the rest."""

    TIME = 0
    STATUS = 1
    ELAPSED = 2
    WEBHOOK = 3
    TOPIC = 4
    METHOD = 5
    URL = 6


def _translate(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def status_class(summary: HistorySummary) -> str:
    """Return "2xx"-style for a response, "cancelled", or "failed" for a failure."""
    if summary.failure_kind is not None:
        if summary.failure_kind == FailureKind.CANCELLED.value:
            return "cancelled"
        return "failed"
    if summary.status is None:
        return "failed"
    return f"{summary.status // 100}xx"


def status_text(summary: HistorySummary) -> str:
    """Return "200 OK" for a response, or the failure kind, such as "refused".

    A response that came with a failure, such as a body cut by a reset, shows
    both: "200 reset".
    """
    if summary.failure_kind is not None:
        if summary.status is not None:
            return f"{summary.status} {summary.failure_kind}"
        return summary.failure_kind
    if summary.status is None:
        return "-"
    reason = escaped_for_display(summary.reason or "")
    return f"{summary.status} {reason}".strip()


def local_time_text(summary: HistorySummary) -> str:
    """Return when a delivery started, in local time to the second."""
    return summary.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def webhook_label(summary: HistorySummary) -> str:
    """Return the webhook name, or "Command line" for a delivery sent from it."""
    if summary.webhook_name:
        return summary.webhook_name
    if summary.webhook_id is None:
        return _translate("Command line")
    return _translate("Webhook %1").replace("%1", str(summary.webhook_id))


class HistoryTableModel(QAbstractTableModel):
    """History rows in the order given (newest first), loaded page by page.

    `fetchMore` only emits `more_requested`. The owner queries the next page
    and calls `append_entries`, or `set_loading(False)` when that failed.
    """

    more_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[HistorySummary] = []
        self._ids: set[int] = set()
        self._has_more = False
        self._loading = False
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)

    # Contents.

    def set_entries(self, entries: Sequence[HistorySummary], has_more: bool) -> None:
        """Replace the rows. `has_more` is True when older rows remain."""
        self.beginResetModel()
        self._entries = list(entries)
        self._ids = {entry.id for entry in self._entries}
        self._has_more = has_more
        self._loading = False
        self.endResetModel()

    def append_entries(self, entries: Sequence[HistorySummary], has_more: bool) -> None:
        """Add older rows at the end, skipping any already listed."""
        fresh = [entry for entry in entries if entry.id not in self._ids]
        self._has_more = has_more
        self._loading = False
        if not fresh:
            return
        first = len(self._entries)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._entries += fresh
        self._ids.update(entry.id for entry in fresh)
        self.endInsertRows()

    def set_loading(self, loading: bool) -> None:
        """Mark a page as being read (no further `more_requested` until done)."""
        self._loading = loading

    @property
    def has_more(self) -> bool:
        """True when older rows exist beyond the ones listed."""
        return self._has_more

    def entries(self) -> list[HistorySummary]:
        """Return the listed rows."""
        return list(self._entries)

    def entry_at(self, row: int) -> HistorySummary | None:
        """Return the row's summary, or None outside the table."""
        if 0 <= row < len(self._entries):
            return self._entries[row]
        return None

    def row_of(self, entry_id: int) -> int | None:
        """Return the row of a history entry id, or None when it is not listed."""
        if entry_id not in self._ids:
            return None
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return None

    # QAbstractTableModel.

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._entries)

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(Column)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if parent.isValid():
            return False
        return self._has_more and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        self.more_requested.emit()

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _header_titles()[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == Column.ELAPSED:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        entry = self.entry_at(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == ENTRY_ID_ROLE:
            return entry.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry, column)
        if column is Column.STATUS:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(STATUS_COLOURS[status_class(entry)])
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.ELAPSED:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _display(self, entry: HistorySummary, column: Column) -> str:
        if column is Column.TIME:
            return local_time_text(entry)
        if column is Column.WEBHOOK:
            return webhook_label(entry)
        if column is Column.TOPIC:
            return topic_title(entry.topic_key)
        if column is Column.METHOD:
            return entry.method
        if column is Column.URL:
            return entry.url
        if column is Column.STATUS:
            return status_text(entry)
        return f"{entry.elapsed_ms:,.0f} ms"

    def _tooltip(self, entry: HistorySummary, column: Column) -> str | None:
        if column is Column.URL:
            return entry.url
        if column is Column.TOPIC:
            return entry.topic_key
        if column is Column.STATUS:
            # The first line repeats the cell, which a narrow column cuts short.
            if entry.response_size is None:
                return status_text(entry)
            size = fill(
                _translate("%1 bytes in the response body"), entry.response_size
            )
            return f"{status_text(entry)}\n{size}"
        if column is Column.TIME:
            return fill(_translate("Delivery %1"), entry.id)
        return None


def _header_titles() -> dict[Column, str]:
    return {
        Column.TIME: _translate("Time"),
        Column.WEBHOOK: _translate("Webhook"),
        Column.TOPIC: _translate("Topic"),
        Column.METHOD: _translate("Method"),
        Column.URL: _translate("URL"),
        Column.STATUS: _translate("Status"),
        Column.ELAPSED: _translate("Elapsed"),
    }
