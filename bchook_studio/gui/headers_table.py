"""An editable table of custom request headers."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.delivery.request import (
    RequestProblem,
    check_header,
    header_problems,
    repeated_headers,
)
from bchook_studio.core.webhook import HeaderRow

_NAME, _VALUE, _SECRET = range(3)

_WARNING_COLOUR = "#b35c00"


class HeadersTable(QWidget):
    """Rows of name and value, each with an on/off box and a secret flag."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table = QTableWidget(0, 3, self)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.verticalHeader().setVisible(False)
        # Tab leaves the table for the next field; the arrow keys move between
        # cells, and F2 or typing edits one.
        self._table.setTabKeyNavigation(False)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_SECRET, QHeaderView.ResizeMode.ResizeToContents)
        self._table.setColumnWidth(_NAME, 180)

        self._add_button = QPushButton(self)
        self._remove_button = QPushButton(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self._add_button)
        buttons.addWidget(self._remove_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._table)
        layout.addLayout(buttons)

        self._add_button.clicked.connect(self._on_add_clicked)
        self._remove_button.clicked.connect(self._on_remove_clicked)
        self._table.itemChanged.connect(self._on_item_changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._table.setHorizontalHeaderLabels(
            [self.tr("Header"), self.tr("Value"), self.tr("Secret")]
        )
        self._add_button.setText(self.tr("Add header"))
        self._remove_button.setText(self.tr("Remove"))
        self._remove_button.setToolTip(self.tr("Remove the selected headers"))

    @property
    def table(self) -> QTableWidget:
        return self._table

    def rows(self) -> tuple[HeaderRow, ...]:
        """Return the headers with a name, in table order."""
        rows = []
        for row in range(self._table.rowCount()):
            name_item = self._table.item(row, _NAME)
            value_item = self._table.item(row, _VALUE)
            secret_item = self._table.item(row, _SECRET)
            name = name_item.text().strip() if name_item else ""
            if not name:
                continue
            rows.append(
                HeaderRow(
                    name=name,
                    value=value_item.text() if value_item else "",
                    enabled=name_item.checkState() == Qt.CheckState.Checked,
                    secret=bool(secret_item)
                    and secret_item.checkState() == Qt.CheckState.Checked,
                )
            )
        return tuple(rows)

    def set_rows(self, rows: tuple[HeaderRow, ...]) -> None:
        """Replace the table's contents without emitting `changed`."""
        self._table.blockSignals(True)
        try:
            self._table.setRowCount(0)
            for header in rows:
                self._append(header)
        finally:
            self._table.blockSignals(False)
        self._validate()

    def problems(self) -> list[str]:
        """Return one message per enabled header that cannot be sent.

        A row with a value but no name is not sent, so it counts as a problem
        too, instead of being left out without a word.
        """
        messages = []
        for row in range(self._table.rowCount()):
            name_item = self._table.item(row, _NAME)
            value_item = self._table.item(row, _VALUE)
            value = value_item.text().strip() if value_item else ""
            if value and not (name_item and name_item.text().strip()):
                messages.append(
                    f"the custom header in row {row + 1} has the value {value!r} "
                    "but no name. Enter its name, or clear the value."
                )
        return messages + header_problems(self.rows())

    def warnings(self) -> list[str]:
        """Return one message per enabled header whose name repeats an earlier one.

        Both are sent, so this does not stop Send Test.
        """
        return [message for _row, message in self._repeated_rows()]

    def _repeated_rows(self) -> list[tuple[int, str]]:
        """Return (row, message) for each enabled row that repeats a name above it."""
        enabled = []
        for row in range(self._table.rowCount()):
            name_item = self._table.item(row, _NAME)
            if name_item is None:
                continue
            if name_item.checkState() == Qt.CheckState.Checked:
                enabled.append((row, name_item.text()))

        repeats = []
        for index, earlier in repeated_headers(name for _row, name in enabled):
            row, name = enabled[index]
            earlier_row, earlier_name = enabled[earlier]
            repeats.append(
                (
                    row,
                    f"the custom header {name.strip()!r} in row {row + 1} repeats "
                    f"{earlier_name.strip()!r} from row {earlier_row + 1}, so both "
                    "are sent and the server may read either one. Disable or "
                    "remove one of them.",
                )
            )
        return repeats

    def _append(self, header: HeaderRow) -> int:
        row = self._table.rowCount()
        self._table.insertRow(row)

        name_item = QTableWidgetItem(header.name)
        name_item.setFlags(name_item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        name_item.setCheckState(
            Qt.CheckState.Checked if header.enabled else Qt.CheckState.Unchecked
        )
        secret_item = QTableWidgetItem()
        secret_item.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
        )
        secret_item.setCheckState(
            Qt.CheckState.Checked if header.secret else Qt.CheckState.Unchecked
        )
        self._table.setItem(row, _NAME, name_item)
        self._table.setItem(row, _VALUE, QTableWidgetItem(header.value))
        self._table.setItem(row, _SECRET, secret_item)
        return row

    def _on_add_clicked(self) -> None:
        self._table.blockSignals(True)
        try:
            row = self._append(HeaderRow(name="", value=""))
        finally:
            self._table.blockSignals(False)
        self._table.setCurrentCell(row, _NAME)
        self._table.editItem(self._table.item(row, _NAME))

    def _on_remove_clicked(self) -> None:
        rows = sorted(
            {index.row() for index in self._table.selectedIndexes()}, reverse=True
        )
        for row in rows:
            self._table.removeRow(row)
        if rows:
            # Row numbers in the repeated-name marks have changed.
            self._validate()
            self.changed.emit()

    def _on_item_changed(self, _item: QTableWidgetItem) -> None:
        self._validate()
        self.changed.emit()

    def _validate(self) -> None:
        """Mark names and values that cannot be sent, with the reason as tooltip.

        A name that repeats an earlier one is marked too, in a warning colour.
        """
        repeated = dict(self._repeated_rows())
        self._table.blockSignals(True)
        try:
            for row in range(self._table.rowCount()):
                name_item = self._table.item(row, _NAME)
                value_item = self._table.item(row, _VALUE)
                if name_item is None or not name_item.text().strip():
                    continue
                try:
                    check_header(
                        name_item.text(), value_item.text() if value_item else ""
                    )
                except RequestProblem as exc:
                    message = str(exc)
                    name_item.setForeground(Qt.GlobalColor.red)
                else:
                    message = repeated.get(row, "")
                    if message:
                        name_item.setForeground(QColor(_WARNING_COLOUR))
                    else:
                        name_item.setData(Qt.ItemDataRole.ForegroundRole, None)
                name_item.setToolTip(message)
        finally:
            self._table.blockSignals(False)
