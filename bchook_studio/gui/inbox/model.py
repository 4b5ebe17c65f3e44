"""The Inbox table model: a thin Qt model over a plain list of received requests.

Rows are newest first, and the controller's batches arrive oldest first. Each
batch is one row insert at the top and each removal one row removal at the
bottom. So a burst of requests costs a few model changes, not one per request.
"""

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum

from PySide6 import QtGui
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from bchook_studio.core.caps import format_size
from bchook_studio.core.receiver import ReceivedRequest
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.gui.placeholders import fill

REQUEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The id of a row's request (int), on every column."""

NO_STATUS = "—"
"""The Status text of a request that got no response (a hang, a drop, a
client that left)."""

BODY_NOT_READ = "—"
"""The Size text of a request that the receiver rejected before reading any
body, when no Content-Length declared one."""

STATUS_COLOURS = {
    "1xx": "#5b6b7b",
    "2xx": "#1e7e34",
    "3xx": "#1f5fa8",
    "4xx": "#b35900",
    "5xx": "#b02a37",
    "none": "#5b6b7b",
}
"""Text colours by status class, the same as the response pane's badges."""

_CONTEXT = "InboxModel"


class Column(IntEnum):
    """The columns of the Inbox table, in order."""

    TIME = 0
    METHOD = 1
    PATH = 2
    CONTENT_TYPE = 3
    SIZE = 4
    STATUS = 5


def _translate(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def plain_tooltip(text: str) -> str:
    """Return `text` as a tooltip that shows it literally.

    Qt renders a tooltip as rich text when it looks like HTML, so text that
    a client sent (a path, a header) is escaped into a paragraph first.
    """
    return QtGui.Qt.convertFromPlainText(text)


def status_class(request: ReceivedRequest) -> str:
    """Return "2xx"-style for a status sent, or "none" without a response."""
    if request.status is None:
        return "none"
    return f"{request.status // 100}xx"


def status_text(request: ReceivedRequest) -> str:
    """Return "200 OK", or NO_STATUS when no response was sent.

    The phrase is the one the receiver puts in its status line (RFC 9110's,
    such as "413 Content Too Large"). An unknown status shows its code alone.
    """
    if request.status is None:
        return NO_STATUS

    # Imported here because the module loads h11, which the window does not
    # need before the receiver starts.
    from bchook_studio.core.receiver.responses import reason_phrase

    phrase = reason_phrase(request.status).decode("ascii")
    return f"{request.status} {phrase}".strip()


def local_time(moment: datetime) -> datetime:
    """Return a UTC time in the computer's time zone."""
    return moment.astimezone()


def time_text(request: ReceivedRequest) -> str:
    """Return when the request arrived, local time with milliseconds."""
    return local_time(request.time).strftime("%H:%M:%S.%f")[:-3]


class InboxModel(QAbstractTableModel):
    """Received requests, newest first, changed in batches."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requests: list[ReceivedRequest] = []
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)

    # Contents.

    def add_batch(self, requests: Sequence[ReceivedRequest]) -> None:
        """Show `requests` above the current rows, in one insert.

        Requests not newer than the top row are skipped: a view filled with
        `set_requests` may then get a batch that repeats its newest ones.
        """
        newest_shown = self._requests[0].id if self._requests else 0
        fresh = [request for request in requests if request.id > newest_shown]
        if not fresh:
            return
        newest_first = sorted(fresh, key=lambda request: request.id, reverse=True)
        self.beginInsertRows(QModelIndex(), 0, len(newest_first) - 1)
        self._requests[:0] = newest_first
        self.endInsertRows()

    def replace_requests(self, requests: Sequence[ReceivedRequest]) -> None:
        """Show the listed rows of `requests` with their new data, by id."""
        for request in requests:
            row = self.row_of(request.id)
            if row is None:
                continue
            self._requests[row] = request
            last_column = self.columnCount() - 1
            self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))

    def remove_below(self, request_id: int) -> None:
        """Remove the rows of requests with an id below `request_id`, in one removal."""
        first = len(self._requests)
        while first > 0 and self._requests[first - 1].id < request_id:
            first -= 1
        if first == len(self._requests):
            return
        self.beginRemoveRows(QModelIndex(), first, len(self._requests) - 1)
        del self._requests[first:]
        self.endRemoveRows()

    def set_requests(self, requests: Sequence[ReceivedRequest]) -> None:
        """Replace every row with `requests`, in any order."""
        self.beginResetModel()
        self._requests = sorted(requests, key=lambda request: request.id, reverse=True)
        self.endResetModel()

    def requests(self) -> list[ReceivedRequest]:
        """Return the listed requests, newest first."""
        return list(self._requests)

    def request_at(self, row: int) -> ReceivedRequest | None:
        """Return the row's request, or None outside the table."""
        if 0 <= row < len(self._requests):
            return self._requests[row]
        return None

    def row_of(self, request_id: int) -> int | None:
        """Return the row of a request id, or None when it is not listed."""
        # Ids decrease down the rows, so a binary search finds the row.
        low, high = 0, len(self._requests)
        while low < high:
            middle = (low + high) // 2
            if self._requests[middle].id > request_id:
                low = middle + 1
            else:
                high = middle
        if low < len(self._requests) and self._requests[low].id == request_id:
            return low
        return None

    # QAbstractTableModel.

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._requests)

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(Column)

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
        if role == Qt.ItemDataRole.TextAlignmentRole and section == Column.SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        request = self.request_at(index.row()) if index.isValid() else None
        if request is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(request, column)
        if role == REQUEST_ID_ROLE:
            return request.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(request, column)
        if column is Column.STATUS:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(STATUS_COLOURS[status_class(request)])
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


def _display(request: ReceivedRequest, column: Column) -> str:
    if column is Column.TIME:
        return time_text(request)
    if column is Column.METHOD:
        return request.method
    if column is Column.PATH:
        return request.target
    if column is Column.CONTENT_TYPE:
        return request.header("content-type") or ""
    if column is Column.SIZE:
        return size_text(request)
    return status_text(request)


def _tooltip(request: ReceivedRequest, column: Column) -> str | None:
    if column is Column.TIME:
        moment = local_time(request.time).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        return fill(_translate("Request %1, received %2"), request.id, moment)
    if column is Column.PATH:
        return plain_tooltip(request.target)
    if column is Column.SIZE:
        return size_tooltip(request)
    if column is Column.STATUS:
        # The first line repeats the cell, which a narrow column cuts short.
        lines = (status_text(request), status_tooltip(request))
        return plain_tooltip("\n".join(lines))
    return None


def size_text(request: ReceivedRequest) -> str:
    """Return the body bytes received, and the declared size when more was due.

    A body that the receiver did not read in full shows the bytes received,
    then in brackets the size that Content-Length declared. It is "— (11.2 MiB)"
    when none was read, as for a body over the limit, which gets 413 from the
    head alone. It is "512 KiB (2 MiB)" when the client stopped part-way.
    """
    declared = request.declared_size
    received = request.body_size
    if declared is not None and received < declared:
        received_text = format_size(received) if received else BODY_NOT_READ
        return f"{received_text} ({format_size(declared)})"
    if request.rejection is not None and not received and declared is None:
        return BODY_NOT_READ
    return format_size(received)


def size_tooltip(request: ReceivedRequest) -> str:
    """Return the byte counts behind `size_text` in full."""
    declared = request.declared_size
    received = request.body_size
    if declared is not None and received < declared:
        return fill(
            _translate("Content-Length declared %1 bytes, and the receiver read %2."),
            f"{declared:,}",
            f"{received:,}",
        )
    if request.rejection is not None and not received and declared is None:
        return _translate("The receiver rejected the request before reading a body.")
    if request.truncated:
        return fill(
            _translate("Received %1 bytes. The receiver kept the first %2."),
            f"{received:,}",
            f"{len(request.body):,}",
        )
    return fill(_translate("%1 bytes"), f"{received:,}")


def status_tooltip(request: ReceivedRequest) -> str:
    """Return who sent the status, or why there was none, in one sentence."""
    if request.rejection:
        reason = request.rejection.rstrip()
        if not reason.endswith((".", "!", "?")):
            reason += "."
        return fill(_translate("Rejected by the receiver: %1"), reason)
    if request.status is None:
        fault = request.fault.value
        if fault in ("hang", "drop"):
            return fill(_translate("No response: the rule's fault is %1."), fault)
        return _translate("No response: the client closed the connection first.")
    if request.status == 401 and request.rule_index is not None:
        sent = request.basic_credentials()
        if sent is not None:
            return fill(
                _translate(
                    "Sent 401 because the Basic credentials for the user %1 do "
                    "not match the ones its rule requires."
                ),
                f"'{escaped_for_display(sent.username)}'",
            )
        if request.header("authorization") is not None:
            return _translate(
                "Sent 401 because the Authorization header is not valid Basic "
                "credentials, which its rule requires."
            )
        return _translate(
            "Sent 401 because the request lacked the Basic credentials its rule "
            "requires."
        )
    return fill(_translate("Sent by rule %1."), _rule_label(request))


def _rule_label(request: ReceivedRequest) -> str:
    number = (request.rule_index or 0) + 1
    if request.rule_name:
        return f"{number} ({request.rule_name})"
    return str(number)


def _header_titles() -> dict[Column, str]:
    return {
        Column.TIME: _translate("Time"),
        Column.METHOD: _translate("Method"),
        Column.PATH: _translate("Path"),
        Column.CONTENT_TYPE: _translate("Content type"),
        Column.SIZE: _translate("Size"),
        Column.STATUS: _translate("Status"),
    }
