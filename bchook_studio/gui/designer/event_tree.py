"""The event data as a tree of fields, for inserting placeholders into a template."""

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.templates.fields import child_expression, top_level_expression
from bchook_studio.gui.designer.values import describe_value, json_type

logger = logging.getLogger(__name__)


class _Node:
    """One field of the event; its children are built when first asked for."""

    __slots__ = ("_children", "expression", "key", "parent", "row", "value")

    def __init__(
        self,
        key: str,
        value: Any,
        expression: str,
        parent: "_Node | None",
        row: int,
    ) -> None:
        self.key = key
        self.value = value
        self.expression = expression
        self.parent = parent
        self.row = row
        self._children: list[_Node] | None = None

    def has_children(self) -> bool:
        return isinstance(self.value, (Mapping, list)) and len(self.value) > 0

    def children(self) -> "list[_Node]":
        if self._children is None:
            self._children = self._build_children()
        return self._children

    def _build_children(self) -> "list[_Node]":
        if isinstance(self.value, Mapping):
            items: list[tuple[object, Any]] = list(self.value.items())
        elif isinstance(self.value, list):
            items = list(enumerate(self.value))
        else:
            return []

        nodes = []
        for row, (key, value) in enumerate(items):
            if self.parent is None:
                expression = top_level_expression(str(key))
            else:
                expression = child_expression(self.expression, key)
            label = f"[{key}]" if isinstance(key, int) else str(key)
            nodes.append(_Node(label, value, expression, self, row))
        return nodes


class EventTreeModel(QAbstractItemModel):
    """A thin tree over an event dict: field, value and JSON type per row.

    `ExpressionRole` gives the template expression that reaches a field, such
    as `payload.user.email`.
    """

    ExpressionRole = Qt.ItemDataRole.UserRole + 1
    FIELD_COLUMN, VALUE_COLUMN, TYPE_COLUMN = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", {}, "event", None, 0)

    def set_event(self, event: Mapping[str, Any]) -> None:
        """Show another event; the tree is rebuilt from its top level."""
        self.beginResetModel()
        self._root = _Node("", event, "event", None, 0)
        self.endResetModel()

    def expression(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        """Return the template expression of a row, or None for an invalid index."""
        node = self._node(index)
        return None if node is self._root else node.expression

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex | None = None,
    ) -> QModelIndex:
        parent_node = self._node(parent)
        children = parent_node.children()
        if not 0 <= row < len(children) or not 0 <= column < 3:
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(  # type: ignore[override]
        self, index: QModelIndex | QPersistentModelIndex | None = None
    ) -> QModelIndex:
        if index is None or not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        node = self._node(parent)
        if parent is not None and parent.isValid() and parent.column() != 0:
            return 0
        return len(node.children()) if node.has_children() else 0

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        return 3

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == self.FIELD_COLUMN:
                return node.key
            if index.column() == self.VALUE_COLUMN:
                return describe_value(node.value)
            return json_type(node.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            value = describe_value(node.value, 200)
            return f"{{{{ {node.expression} }}}}\n{json_type(node.value)}: {value}"
        if role == self.ExpressionRole:
            return node.expression
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Field"), self.tr("Value"), self.tr("Type"))
        return titles[section] if 0 <= section < len(titles) else None

    def _node(self, index: QModelIndex | QPersistentModelIndex | None) -> _Node:
        if index is None or not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node


class FieldsPanel(QWidget):
    """The event's fields as a tree, with a button that inserts a placeholder.

    While the panel is hidden (the Raw body mode), a new event waits until the
    panel is shown or asked about a field. Filling and fitting the tree took
    about half of loading a webhook at start-up, for a panel not on screen.
    """

    insert_requested = Signal(str)
    """The user asked to insert a placeholder for a field (its expression)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._waiting_event: Mapping[str, Any] | None = None
        """An event set while the panel was hidden, shown once it is needed."""

        self.model = EventTreeModel(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(
            EventTreeModel.FIELD_COLUMN, QHeaderView.ResizeMode.Interactive
        )
        header.setSectionResizeMode(
            EventTreeModel.VALUE_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        header.setSectionResizeMode(
            EventTreeModel.TYPE_COLUMN, QHeaderView.ResizeMode.ResizeToContents
        )
        # The value's spelling already shows its type ("text", 12, {2 fields}),
        # so the narrow panel hides the Type column; the tooltip names it.
        self.tree.setColumnHidden(EventTreeModel.TYPE_COLUMN, True)

        self._title = QLabel(self)
        self.insert_button = QPushButton(self)
        self.insert_button.setEnabled(False)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._title, 1)
        top.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

        self.tree.doubleClicked.connect(self._on_double_clicked)
        self.tree.expanded.connect(self._fit_field_column)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.insert_button.clicked.connect(self._on_insert_clicked)
        self.model.modelReset.connect(self._on_model_reset)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every user-visible string again, in the current language."""
        self._title.setText(self.tr("Fields"))
        self.insert_button.setText(self.tr("Insert"))
        self.insert_button.setToolTip(
            self.tr("Insert {{ field }} for the selected field at the cursor")
        )
        self.tree.setToolTip(self.tr("Double-click a field to insert it at the cursor"))

    def set_event(self, event: Mapping[str, Any]) -> None:
        """Show the fields of `event`, keeping the expanded fields where they exist."""
        self._waiting_event = event
        if not self.isHidden():
            self._show_waiting_event()

    def showEvent(self, event: QShowEvent) -> None:
        if self._waiting_event is not None:
            self._show_waiting_event()
            # The tree gets its width from the layout pass after this event,
            # and the Field column's limit is half of that width.
            QTimer.singleShot(0, self._fit_field_column)
        super().showEvent(event)

    def _show_waiting_event(self) -> None:
        waiting, self._waiting_event = self._waiting_event, None
        if waiting is not None:
            expanded = self._expanded_expressions()
            self.model.set_event(waiting)
            self._expand(expanded)

    def select_expression(self, expression: str) -> bool:
        """Make the field with this expression current; False when it is not found."""
        self._show_waiting_event()
        index = self._find(expression)
        if index is None:
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def current_expression(self) -> str | None:
        """Return the expression of the current field, or None."""
        self._show_waiting_event()
        return self.model.expression(self.tree.currentIndex())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        expression = self.model.expression(index)
        if expression is not None:
            self.insert_requested.emit(expression)

    def _on_insert_clicked(self) -> None:
        expression = self.current_expression()
        if expression is not None:
            self.insert_requested.emit(expression)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.insert_button.setEnabled(current.isValid())

    def _on_model_reset(self) -> None:
        self.insert_button.setEnabled(False)
        self._fit_field_column()

    def _fit_field_column(self) -> None:
        # At most half the tree's width, so that values stay readable.
        self.tree.resizeColumnToContents(EventTreeModel.FIELD_COLUMN)
        limit = max(self.tree.viewport().width() // 2, 80)
        if self.tree.columnWidth(EventTreeModel.FIELD_COLUMN) > limit:
            self.tree.setColumnWidth(EventTreeModel.FIELD_COLUMN, limit)

    def _expanded_expressions(self) -> set[str]:
        expanded: set[str] = set()
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if self.tree.isExpanded(index):
                    expression = self.model.expression(index)
                    if expression is not None:
                        expanded.add(expression)
                    stack.append(index)
        return expanded

    def _expand(self, expressions: set[str]) -> None:
        if not expressions:
            self.tree.expandToDepth(0)
            return
        for expression in expressions:
            index = self._find(expression)
            if index is not None:
                self.tree.expand(index)

    def _find(self, expression: str) -> QModelIndex | None:
        # Walks only the fields whose expression starts the wanted one.
        parent = QModelIndex()
        while True:
            found = None
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                candidate = self.model.expression(index) or ""
                if candidate == expression:
                    return index
                if expression.startswith(candidate) and expression[
                    len(candidate) : len(candidate) + 1
                ] in (".", "["):
                    found = index
                    break
            if found is None:
                return None
            parent = found
