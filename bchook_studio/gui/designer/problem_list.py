"""The designer's problems: where each one is, and the list under the editors."""

import logging
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from bchook_studio.core.templates import ProblemKind, TemplateProblem
from bchook_studio.gui.icons import message_icon

logger = logging.getLogger(__name__)

EVENT_DATA_KIND = "event_data"
"""The kind of a problem in the event data, which is not valid JSON or no object."""


class ProblemSite(StrEnum):
    """The editor whose text a problem's line and column refer to."""

    BODY = "body"
    """The Body tab: the template, or the raw body in Raw mode."""

    RENDERED = "rendered"
    """The rendered body in the preview."""

    EVENT = "event"
    """The event data."""


@dataclass(frozen=True)
class DesignerProblem:
    """One problem or warning as the designer lists and marks it."""

    site: ProblemSite
    kind: str
    """A ProblemKind value, or EVENT_DATA_KIND."""

    message: str
    line: int | None = None
    column: int | None = None
    warning: bool = False
    unchecked: bool = False
    """True for a body that a parser limit stopped, which may be well formed."""

    @classmethod
    def from_template(
        cls, problem: TemplateProblem, *, warning: bool = False
    ) -> "DesignerProblem":
        """Place a render problem in the template, or in the body for MALFORMED_BODY.

        A body over a parser limit is listed as a warning, because it may be
        well formed.
        """
        site = ProblemSite.RENDERED if problem.in_body else ProblemSite.BODY
        unchecked = problem.limit is not None
        return cls(
            site,
            problem.kind.value,
            problem.message,
            problem.line,
            problem.column,
            warning or unchecked,
            unchecked,
        )

    def location(self) -> str:
        """Return `LINE:COL`, `LINE` or an empty string, as much as is known."""
        if self.line is None:
            return ""
        if self.column is None:
            return str(self.line)
        return f"{self.line}:{self.column}"


def _translate(text: str) -> str:
    return QCoreApplication.translate("ProblemListModel", text)


def kind_label(kind: str) -> str:
    """Return the name a user reads for a problem kind."""
    labels = {
        ProblemKind.SYNTAX.value: _translate("Syntax"),
        ProblemKind.UNDEFINED.value: _translate("Undefined"),
        ProblemKind.SANDBOX.value: _translate("Not allowed"),
        ProblemKind.LIMIT.value: _translate("Limit"),
        ProblemKind.RUNTIME.value: _translate("Error"),
        ProblemKind.MALFORMED_BODY.value: _translate("Malformed body"),
        ProblemKind.REPLACED_CHARACTER.value: _translate("Replaced character"),
        ProblemKind.LINE_ENDINGS.value: _translate("Line endings"),
        EVENT_DATA_KIND: _translate("Event data"),
    }
    return labels.get(kind, kind)


def site_label(site: ProblemSite) -> str:
    """Return the words after a position that name the text it is in."""
    if site is ProblemSite.RENDERED:
        return _translate("in rendered body")
    if site is ProblemSite.EVENT:
        return _translate("in event data")
    return ""


class ProblemListModel(QAbstractTableModel):
    """A thin table over a list of DesignerProblem: kind, place and message."""

    KIND_COLUMN, PLACE_COLUMN, MESSAGE_COLUMN = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problems: list[DesignerProblem] = []
        self._icons: dict[bool, QIcon] = {}
        """The kind column's icons by `warning`, made when first shown."""

    def set_problems(self, problems: list[DesignerProblem]) -> None:
        """Replace the listed problems."""
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def problems(self) -> list[DesignerProblem]:
        return list(self._problems)

    def problem(self, row: int) -> DesignerProblem:
        return self._problems[row]

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._problems)

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return 3

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if not index.isValid() or index.row() >= len(self._problems):
            return None
        problem = self._problems[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(problem, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem.message
        if role == Qt.ItemDataRole.DecorationRole and column == self.KIND_COLUMN:
            return self._icon(problem.warning)
        return None

    def _icon(self, warning: bool) -> QIcon:
        icon = self._icons.get(warning)
        if icon is None:
            icon = self._icons[warning] = message_icon(warning)
        return icon

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
        titles = (_translate("Kind"), _translate("Where"), _translate("Message"))
        return titles[section] if 0 <= section < len(titles) else None

    def _display(self, problem: DesignerProblem, column: int) -> str:
        if column == self.KIND_COLUMN:
            if problem.unchecked:
                return _translate("Not checked")
            return kind_label(problem.kind)
        if column == self.PLACE_COLUMN:
            return " ".join(
                part for part in (problem.location(), site_label(problem.site)) if part
            )
        return " ".join(problem.message.split())


class ProblemList(QTreeView):
    """The problems under the editors. Double-clicking one emits problem_activated."""

    problem_activated = Signal(object)
    """The user double-clicked or pressed Enter on a problem (a DesignerProblem)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem_model = ProblemListModel(self)
        self.setModel(self.problem_model)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(
            ProblemListModel.KIND_COLUMN, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(
            ProblemListModel.PLACE_COLUMN, QHeaderView.ResizeMode.ResizeToContents
        )
        # A double-click emits `activated` too, as does Enter on a row.
        self.activated.connect(self._on_activated)

    def set_problems(self, problems: list[DesignerProblem]) -> None:
        """Show `problems`, keeping the column layout."""
        self.problem_model.set_problems(problems)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.problem_activated.emit(self.problem_model.problem(index.row()))
