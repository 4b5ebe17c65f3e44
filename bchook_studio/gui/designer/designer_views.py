"""The designer's widgets and layout, without its rendering and editing logic."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.webhook import BodyMode
from bchook_studio.gui.designer.preview_panel import PreviewPanel
from bchook_studio.gui.designer.problem_list import (
    DesignerProblem,
    ProblemList,
    ProblemSite,
)
from bchook_studio.gui.designer.template_editor import TemplateEditor
from bchook_studio.gui.editor.code_editor import CodeEditor
from bchook_studio.gui.elided_label import ElidedLabel
from bchook_studio.gui.icons import message_icon

if TYPE_CHECKING:
    from bchook_studio.gui.designer.event_tree import FieldsPanel

logger = logging.getLogger(__name__)

BODY_TAB, EVENT_TAB, PREVIEW_TAB = range(3)

_NOTE_STYLE = (
    "QLabel { color: #57606a; background: #f6f8fa; border: 1px solid #d8dee4; "
    "border-radius: 3px; padding: 4px 6px; }"
)


class DesignerViews(QWidget):
    """The mode switch, the Body, Event data and Preview views, and the problems.

    The preview is the third tab, or a pane beside the tabs (`set_side_by_side`).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marked_sites: set[ProblemSite] = set()
        self._build_widgets()
        self._build_layout()
        self.side_by_side_button.toggled.connect(self.set_side_by_side)
        self._retranslate_views()
        self.show_problems([])

    def sizeHint(self) -> QSize:
        """Return the usual width and the minimum height.

        The window gives the designer its spare height through a stretch
        factor. A short window takes the same number of pixels from each item
        below its size hint, so a low hint here leaves the webhook form above
        its rows.
        """
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumSizeHint().height())

    def _build_widgets(self) -> None:
        self._mode_label = QLabel(self)
        self.raw_button = QRadioButton(self)
        self.template_button = QRadioButton(self)
        self.raw_button.setChecked(True)
        self._mode_group = QButtonGroup(self)
        self._mode_group.addButton(self.raw_button)
        self._mode_group.addButton(self.template_button)

        self.side_by_side_button = QToolButton(self)
        self.side_by_side_button.setCheckable(True)
        self.side_by_side_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextOnly
        )
        self.copy_button = QPushButton(self)

        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setStyleSheet(_NOTE_STYLE)

        self.body_editor = TemplateEditor(self)
        self._fields_panel: FieldsPanel | None = None
        self._body_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._body_splitter.setChildrenCollapsible(False)
        self._body_splitter.addWidget(self.body_editor)
        self._body_splitter.setStretchFactor(0, 3)

        self.event_editor = CodeEditor(self)
        self.event_editor.set_language("json")
        self._event_label = ElidedLabel(self)
        self.reset_event_button = QPushButton(self)
        self._event_page = QWidget(self)

        self.preview = PreviewPanel(self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)

        self.problem_list = ProblemList(self)
        self._problems_title = QLabel(self)
        self._error_icon: QIcon | None = None
        """The icon of a tab with an error, made when a tab is first marked."""

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._mode_label)
        top.addWidget(self.raw_button)
        top.addWidget(self.template_button)
        top.addStretch(1)
        top.addWidget(self.side_by_side_button)
        top.addWidget(self.copy_button)

        event_bar = QHBoxLayout()
        event_bar.setContentsMargins(0, 0, 0, 0)
        event_bar.addWidget(self._event_label, 1)
        event_bar.addWidget(self.reset_event_button)
        event_layout = QVBoxLayout(self._event_page)
        event_layout.setContentsMargins(0, 4, 0, 0)
        event_layout.setSpacing(4)
        event_layout.addLayout(event_bar)
        event_layout.addWidget(self.event_editor, 1)

        self.tabs.addTab(self._body_splitter, "")
        self.tabs.addTab(self._event_page, "")
        self.tabs.addTab(self.preview, "")
        self._views_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._views_splitter.setChildrenCollapsible(False)
        self._views_splitter.addWidget(self.tabs)

        problems_box = QWidget(self)
        problems_layout = QVBoxLayout(problems_box)
        problems_layout.setContentsMargins(0, 2, 0, 0)
        problems_layout.setSpacing(2)
        problems_layout.addWidget(self._problems_title)
        problems_layout.addWidget(self.problem_list, 1)

        self._main_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._main_splitter.setChildrenCollapsible(False)
        self._main_splitter.addWidget(self._views_splitter)
        self._main_splitter.addWidget(problems_box)
        self._main_splitter.setStretchFactor(0, 5)
        self._main_splitter.setStretchFactor(1, 1)
        self._main_splitter.setSizes([480, 110])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self._main_splitter, 1)

    def retranslate_ui(self) -> None:
        """Set every user-visible string again, in the current language."""
        self._retranslate_views()

    def _retranslate_views(self) -> None:
        self._mode_label.setText(self.tr("Body:"))
        self.raw_button.setText(self.tr("Raw"))
        self.raw_button.setToolTip(self.tr("Send the text exactly as typed"))
        self.template_button.setText(self.tr("Template"))
        self.template_button.setToolTip(
            self.tr("Render the text against the event data before sending")
        )

        self.side_by_side_button.setText(self.tr("Side by side"))
        self.side_by_side_button.setToolTip(
            self.tr("Show the preview next to the editors instead of in a tab")
        )
        self.note.setText(
            self.tr(
                "Template syntax is Hook Studio's own ({{ field }}, {% if %}, "
                "filters); BrainCert documents none. Copy the rendered body into "
                "BrainCert's body field."
            )
        )

        self.reset_event_button.setText(self.tr("Reset to example"))
        self.reset_event_button.setToolTip(
            self.tr(
                "Replace the event data with the topic's example event (Ctrl+Z undoes)"
            )
        )

        self.tabs.setTabText(BODY_TAB, self.tr("Body"))
        self.tabs.setTabText(EVENT_TAB, self.tr("Event data"))
        self.preview.title.setText(self.tr("Preview"))
        if not self.is_side_by_side():
            self.tabs.setTabText(self.tabs.indexOf(self.preview), self.tr("Preview"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # Preview placement.

    def is_side_by_side(self) -> bool:
        """True when the preview is beside the tabs rather than one of them."""
        return self.tabs.indexOf(self.preview) < 0

    def set_side_by_side(self, enabled: bool) -> None:
        """Show the preview beside the tabs, or as the third tab."""
        if enabled == self.is_side_by_side():
            return

        if enabled:
            if self.tabs.currentWidget() is self.preview:
                self.tabs.setCurrentIndex(BODY_TAB)
            self.tabs.removeTab(self.tabs.indexOf(self.preview))
            self._views_splitter.addWidget(self.preview)
            self.preview.set_title_height(self.tabs.tabBar().sizeHint().height())
            self.preview.show()
            half = max(self._views_splitter.width() // 2, 1)
            self._views_splitter.setSizes([half, half])
        else:
            self.preview.set_title_height(0)
            self.tabs.addTab(self.preview, self.tr("Preview"))

        self.side_by_side_button.setChecked(enabled)
        self._update_tab_icons()

    # What the views show.

    @property
    def fields_panel(self) -> FieldsPanel:
        """The event's field tree beside the body, built when first needed.

        Only Template mode shows it, and a start in Raw mode never does.
        """
        if self._fields_panel is None:
            from bchook_studio.gui.designer.event_tree import FieldsPanel

            panel = FieldsPanel(self)
            panel.setVisible(False)
            self._body_splitter.addWidget(panel)
            self._body_splitter.setStretchFactor(1, 2)
            self._body_splitter.setSizes([400, 230])
            self._fields_panel = panel
            self._fields_panel_built(panel)
        return self._fields_panel

    def _fields_panel_built(self, panel: FieldsPanel) -> None:
        """Called once the field tree exists; a subclass connects it here."""

    def show_mode(self, mode: BodyMode) -> None:
        """Check the mode's button without a toggled signal, and show its views.

        Template mode highlights template tags, completes fields, and shows the
        note about the syntax and the field tree.
        """
        button = self.template_button if mode is BodyMode.TEMPLATE else self.raw_button
        for mode_button in (self.raw_button, self.template_button):
            mode_button.blockSignals(True)
        try:
            button.setChecked(True)
        finally:
            for mode_button in (self.raw_button, self.template_button):
                mode_button.blockSignals(False)

        template = mode is BodyMode.TEMPLATE
        self.body_editor.highlighter.set_template_tags(template)
        self.body_editor.set_completion_enabled(template)
        self.note.setVisible(template)
        if template:
            self.fields_panel.setVisible(True)
        elif self._fields_panel is not None:
            self._fields_panel.setVisible(False)
        self._update_copy_button(template)

    def show_format(self, body_format: BodyFormat) -> None:
        """Highlight the body and the preview in the body format's language."""
        self.body_editor.set_language(body_format.value)
        self.preview.editor.set_language(body_format.value)

    def show_event_origin(self, edited: bool, topic_title: str) -> None:
        """Say above the event data whether it is the topic's example event."""
        if edited:
            text = self.tr("Edited event data; Reset restores the example of %1")
        else:
            text = self.tr("The example event of %1")
        self._event_label.set_elided_text(text.replace("%1", topic_title))

    def show_problems(self, problems: list[DesignerProblem]) -> None:
        """List the problems, count them, and mark the tabs that have errors."""
        self.problem_list.set_problems(problems)
        self.problem_list.setVisible(bool(problems))
        self._marked_sites = {item.site for item in problems if not item.warning}
        self._update_tab_icons()

        errors = sum(1 for item in problems if not item.warning)
        warnings = len(problems) - errors
        if not problems:
            text = self.tr("Problems: none")
        elif warnings == 0:
            text = self.tr("Problems: %1").replace("%1", str(errors))
        else:
            text = (
                self.tr("Problems: %1, warnings: %2")
                .replace("%1", str(errors))
                .replace("%2", str(warnings))
            )
        self._problems_title.setText(text)

    def show_problem(self, problem: DesignerProblem) -> None:
        """Show the editor that a problem is in and move its cursor there."""
        if problem.site is ProblemSite.EVENT:
            editor: CodeEditor = self.event_editor
            self.tabs.setCurrentIndex(EVENT_TAB)
        elif problem.site is ProblemSite.RENDERED:
            editor = self.preview.editor
            if not self.is_side_by_side():
                self.tabs.setCurrentWidget(self.preview)
        else:
            editor = self.body_editor
            self.tabs.setCurrentIndex(BODY_TAB)

        if problem.line is not None:
            editor.go_to(problem.line, problem.column)
        editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_copy_button(self, template: bool) -> None:
        if template:
            self.copy_button.setText(self.tr("Copy rendered body"))
            self.copy_button.setToolTip(
                self.tr(
                    "Copy the body as it would be sent, to paste into BrainCert's "
                    "body field"
                )
            )
        else:
            self.copy_button.setText(self.tr("Copy body"))
            self.copy_button.setToolTip(self.tr("Copy the body as it would be sent"))

    def _update_tab_icons(self) -> None:
        pages = (
            (self._body_splitter, ProblemSite.BODY),
            (self._event_page, ProblemSite.EVENT),
            (self.preview, ProblemSite.RENDERED),
        )
        for page, site in pages:
            index = self.tabs.indexOf(page)
            if index >= 0:
                icon = self._tab_error_icon() if site in self._marked_sites else QIcon()
                self.tabs.setTabIcon(index, icon)

    def _tab_error_icon(self) -> QIcon:
        if self._error_icon is None:
            self._error_icon = message_icon()
        return self._error_icon
