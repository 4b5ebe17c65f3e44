"""The topic catalogue as a filterable tree grouped by subject."""

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from bchook_studio.core.topics import Topic, topics_by_group

TOPIC_KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def build_topic_model() -> QStandardItemModel:
    """Return a two-level model: subject groups, each holding its topics."""
    model = QStandardItemModel()
    for group, topics in topics_by_group().items():
        group_item = QStandardItem(group)
        group_item.setSelectable(False)
        group_item.setEditable(False)
        for topic in topics:
            group_item.appendRow(_topic_item(topic))
        model.appendRow(group_item)
    return model


def _topic_item(topic: Topic) -> QStandardItem:
    item = QStandardItem(topic.title)
    item.setEditable(False)
    item.setData(topic.key, TOPIC_KEY_ROLE)
    tooltip = f"{topic.key}\n{topic.trigger}"
    if topic.notes:
        tooltip += f"\n{topic.notes}"
    item.setToolTip(tooltip)
    return item


class _TopicFilter(QSortFilterProxyModel):
    """Matches topics by title or key and keeps groups that have a match."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        """Show the topics whose title or key contains `text`, ignoring case."""
        if hasattr(self, "beginFilterChange"):
            # Qt 6.9 added these; 6.10 deprecated invalidateFilter().
            self.beginFilterChange()
            self._text = text.strip().casefold()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._text = text.strip().casefold()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        pattern = self._text
        if not pattern:
            return True

        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if not source_parent.isValid():
            return any(
                self.filterAcceptsRow(row, index)
                for row in range(model.rowCount(index))
            )
        title = str(index.data()).casefold()
        key = str(index.data(TOPIC_KEY_ROLE)).casefold()
        return pattern in title or pattern in key


class TopicList(QWidget):
    """A filter box over the grouped topic tree."""

    topic_chosen = Signal(str)
    """The key of the topic the user picked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filter_box = QLineEdit(self)
        self._filter_box.setClearButtonEnabled(True)

        self._model = build_topic_model()
        self._proxy = _TopicFilter(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setRecursiveFilteringEnabled(False)

        self._tree = QTreeView(self)
        self._tree.setModel(self._proxy)
        self._tree.setHeaderHidden(True)
        self._tree.setUniformRowHeights(True)
        self._tree.expandAll()

        self._no_match = QLabel(self)
        self._no_match.setTextFormat(Qt.TextFormat.PlainText)
        self._no_match.setStyleSheet("color: #5b6b7b; padding: 4px;")
        self._no_match.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._filter_box)
        layout.addWidget(self._no_match)
        layout.addWidget(self._tree)
        self._filter_box.installEventFilter(self)

        self._filter_box.textChanged.connect(self._on_filter_changed)
        self._tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._filter_box.setPlaceholderText(self.tr("Filter topics"))
        self._filter_box.setToolTip(
            self.tr("Type part of a topic title or key; Down or Enter picks the first")
        )
        self._no_match.setText(self.tr("No topic matches the filter."))

    @property
    def filter_box(self) -> QLineEdit:
        return self._filter_box

    @property
    def tree(self) -> QTreeView:
        return self._tree

    def select_topic(self, key: str) -> None:
        """Select the topic with `key` without emitting `topic_chosen`."""
        for group_row in range(self._proxy.rowCount()):
            group_index = self._proxy.index(group_row, 0)
            for row in range(self._proxy.rowCount(group_index)):
                index = self._proxy.index(row, 0, group_index)
                if index.data(TOPIC_KEY_ROLE) == key:
                    self.blockSignals(True)
                    try:
                        self._tree.setCurrentIndex(index)
                        self._tree.scrollTo(index)
                    finally:
                        self.blockSignals(False)
                    return

    def visible_topic_keys(self) -> list[str]:
        """Return the keys of the topics the filter shows, in order."""
        keys = []
        for group_row in range(self._proxy.rowCount()):
            group_index = self._proxy.index(group_row, 0)
            for row in range(self._proxy.rowCount(group_index)):
                keys.append(self._proxy.index(row, 0, group_index).data(TOPIC_KEY_ROLE))
        return keys

    def _on_filter_changed(self, text: str) -> None:
        self._proxy.set_text(text)
        self._tree.expandAll()
        self._no_match.setVisible(not self.visible_topic_keys())

    def eventFilter(self, watched, event) -> bool:
        """Let Down and Enter in the filter box move to the first matching topic."""
        moves = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if (
            watched is self._filter_box
            and event.type() == QEvent.Type.KeyPress
            and event.key() in moves
        ):
            first = self._first_topic_index()
            if first is not None:
                self._tree.setCurrentIndex(first)
                self._tree.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _first_topic_index(self):
        for group_row in range(self._proxy.rowCount()):
            group_index = self._proxy.index(group_row, 0)
            if self._proxy.rowCount(group_index):
                return self._proxy.index(0, 0, group_index)
        return None

    def _on_current_changed(self, current, _previous) -> None:
        key = current.data(TOPIC_KEY_ROLE)
        if key:
            self.topic_chosen.emit(key)
