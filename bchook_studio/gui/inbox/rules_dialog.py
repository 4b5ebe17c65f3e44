"""The editor of the receiver's response rules: an ordered list and one rule's form.

The first rule whose path prefix starts the request's path responds. The last
rule responds to everything else, so its prefix is fixed and it cannot be
moved or removed.
"""

import logging
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.receiver import DEFAULT_RULE, Fault, ResponseRule
from bchook_studio.core.receiver.rules import MAX_DELAY_MS, MAX_STATUS, MIN_STATUS
from bchook_studio.gui.editor.code_editor import raw_plain_text
from bchook_studio.gui.editor.theme import editor_font
from bchook_studio.gui.inbox.model import plain_tooltip
from bchook_studio.gui.inbox.rule_drafts import (
    NEW_RULE_PREFIX,
    RuleDraft,
    build_rule,
    draft_from_rule,
)
from bchook_studio.gui.placeholders import fill

logger = logging.getLogger(__name__)

_PROBLEM_COLOUR = "#b02a37"


class RulesDialog(QDialog):
    """Edits an ordered list of ResponseRule; Apply and OK emit `rules_changed`.

    The dialog is not modal. Cancel closes it and drops the edits; the owner
    calls `set_rules` with the rules in force before it shows the dialog again.
    """

    rules_changed = Signal(tuple)
    """The new rules, a tuple of ResponseRule in matching order."""

    def __init__(
        self,
        rules: Sequence[ResponseRule] = (DEFAULT_RULE,),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setModal(False)
        self._drafts: list[RuleDraft] = []
        self._loading = False

        self._build_list()
        self._build_form()
        self._build_layout()
        self._connect()
        self.retranslate_ui()
        self.set_rules(rules)

    # Layout.

    def _build_list(self) -> None:
        self._list = QListWidget(self)
        self._list.setMinimumWidth(260)
        self._add_button = QPushButton(self)
        self._remove_button = QPushButton(self)
        self._up_button = QPushButton(self)
        self._down_button = QPushButton(self)

    def _build_form(self) -> None:
        self._name = QLineEdit(self)
        self._prefix = QLineEdit(self)
        self._status = QSpinBox(self)
        self._status.setRange(MIN_STATUS, MAX_STATUS)
        self._status.setMinimumWidth(90)
        self._delay = QSpinBox(self)
        self._delay.setRange(0, MAX_DELAY_MS)
        self._delay.setSingleStep(100)
        self._delay.setMinimumWidth(110)
        self._fault = QComboBox(self)
        for fault in Fault:
            self._fault.addItem("", fault)
        self._slow_interval = QSpinBox(self)
        self._slow_interval.setRange(1, 10_000)
        self._headers = QPlainTextEdit(self)
        self._headers.setTabChangesFocus(True)
        self._headers.setFont(editor_font())
        self._headers.setFixedHeight(64)
        self._body = QPlainTextEdit(self)
        self._body.setTabChangesFocus(True)
        self._body.setFont(editor_font())
        self._body.setMinimumHeight(90)
        self._require_credentials = QCheckBox(self)
        self._username = QLineEdit(self)
        self._password = QLineEdit(self)
        self._password.setEchoMode(QLineEdit.EchoMode.Password)

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self._labels: dict[str, QLabel] = {}
        credentials = QHBoxLayout()
        credentials.addWidget(self._require_credentials)
        credentials.addWidget(self._username, 1)
        credentials.addWidget(self._password, 1)
        timing = QHBoxLayout()
        timing.addWidget(self._delay)
        timing.addSpacing(12)
        timing.addWidget(self._fault)
        timing.addWidget(self._slow_interval)
        timing.addStretch(1)
        status = QHBoxLayout()
        status.addWidget(self._status)
        status.addStretch(1)
        for key, field in (
            ("name", self._name),
            ("prefix", self._prefix),
            ("status", status),
            ("timing", timing),
            ("credentials", credentials),
            ("headers", self._headers),
            ("body", self._body),
        ):
            label = QLabel(self)
            label.setTextFormat(Qt.TextFormat.PlainText)
            self._labels[key] = label
            self._form.addRow(label, field)

    def _build_layout(self) -> None:
        list_buttons = QHBoxLayout()
        for button in (
            self._add_button,
            self._remove_button,
            self._up_button,
            self._down_button,
        ):
            list_buttons.addWidget(button)
        list_side = QVBoxLayout()
        list_side.addWidget(self._list, 1)
        list_side.addLayout(list_buttons)

        self._hint = QLabel(self)
        self._hint.setTextFormat(Qt.TextFormat.PlainText)
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color: #5b6b7b;")
        self._problem = QLabel(self)
        self._problem.setTextFormat(Qt.TextFormat.PlainText)
        self._problem.setWordWrap(True)
        self._problem.setStyleSheet(f"color: {_PROBLEM_COLOUR};")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel,
            self,
        )

        columns = QHBoxLayout()
        columns.addLayout(list_side, 2)
        columns.addSpacing(8)
        columns.addLayout(self._form, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self._hint)
        layout.addLayout(columns, 1)
        layout.addWidget(self._problem)
        layout.addWidget(self._buttons)
        self.resize(860, 480)

    def _connect(self) -> None:
        self._list.currentRowChanged.connect(self._on_current_row_changed)
        self._add_button.clicked.connect(self.add_rule)
        self._remove_button.clicked.connect(self.remove_rule)
        self._up_button.clicked.connect(lambda: self.move_rule(-1))
        self._down_button.clicked.connect(lambda: self.move_rule(1))
        for line_edit in (self._name, self._prefix, self._username, self._password):
            line_edit.textEdited.connect(self._on_field_edited)
        for spin_box in (self._status, self._delay, self._slow_interval):
            spin_box.valueChanged.connect(self._on_field_edited)
        self._fault.currentIndexChanged.connect(self._on_field_edited)
        self._require_credentials.toggled.connect(self._on_field_edited)
        self._headers.textChanged.connect(self._on_field_edited)
        self._body.textChanged.connect(self._on_field_edited)
        self._buttons.accepted.connect(self._on_ok_clicked)
        self._buttons.rejected.connect(self.reject)
        self._apply_button().clicked.connect(self.apply)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Receiver rules"))
        self._hint.setText(
            self.tr(
                "The receiver responds with the first rule whose path prefix starts "
                "the request path; the last rule responds to everything else."
            )
        )

        self._add_button.setText(self.tr("Add"))
        self._remove_button.setText(self.tr("Remove"))
        self._up_button.setText(self.tr("Move up"))
        self._down_button.setText(self.tr("Move down"))

        labels = {
            "name": self.tr("Name"),
            "prefix": self.tr("Path prefix"),
            "status": self.tr("Status"),
            "timing": self.tr("Delay and fault"),
            "credentials": self.tr("Credentials"),
            "headers": self.tr("Response headers"),
            "body": self.tr("Response body"),
        }
        for key, text in labels.items():
            self._labels[key].setText(text)

        self._name.setPlaceholderText(self.tr("Optional label, such as Orders"))
        self._prefix.setPlaceholderText(self.tr("/webhook"))
        self._delay.setSuffix(self.tr(" ms"))
        self._delay.setToolTip(self.tr("Milliseconds to wait before responding"))
        self._slow_interval.setSuffix(self.tr(" ms"))
        self._slow_interval.setToolTip(
            self.tr("Pause between the pieces of a slow response, in milliseconds")
        )

        fault_names = {
            Fault.NONE: self.tr("No fault"),
            Fault.HANG: self.tr("Hang (never respond)"),
            Fault.DROP: self.tr("Drop the connection"),
            Fault.SLOW: self.tr("Respond slowly"),
        }
        for index in range(self._fault.count()):
            self._fault.setItemText(index, fault_names[self._fault.itemData(index)])

        self._require_credentials.setText(self.tr("Require Basic credentials"))
        self._username.setPlaceholderText(self.tr("Username"))
        self._password.setPlaceholderText(self.tr("Password"))
        self._headers.setPlaceholderText(self.tr("Name: value, one per line"))
        self._body.setPlaceholderText(self.tr("Empty body"))
        self._apply_button().setText(self.tr("Apply"))

        self._refresh_list()
        self._load_form()

    def _apply_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Apply)

    def _ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    # Accessors for the panel and for tests.

    @property
    def list_widget(self) -> QListWidget:
        return self._list

    @property
    def prefix_field(self) -> QLineEdit:
        return self._prefix

    @property
    def status_field(self) -> QSpinBox:
        return self._status

    @property
    def delay_field(self) -> QSpinBox:
        return self._delay

    @property
    def fault_box(self) -> QComboBox:
        return self._fault

    @property
    def headers_field(self) -> QPlainTextEdit:
        return self._headers

    @property
    def body_field(self) -> QPlainTextEdit:
        return self._body

    @property
    def credentials_box(self) -> QCheckBox:
        return self._require_credentials

    @property
    def username_field(self) -> QLineEdit:
        return self._username

    @property
    def password_field(self) -> QLineEdit:
        return self._password

    @property
    def problem_label(self) -> QLabel:
        return self._problem

    @property
    def button_box(self) -> QDialogButtonBox:
        return self._buttons

    @property
    def add_button(self) -> QPushButton:
        return self._add_button

    @property
    def remove_button(self) -> QPushButton:
        return self._remove_button

    @property
    def up_button(self) -> QPushButton:
        return self._up_button

    @property
    def down_button(self) -> QPushButton:
        return self._down_button

    # The list of rules.

    def set_rules(self, rules: Sequence[ResponseRule]) -> None:
        """Show `rules` for editing, dropping any edits not applied."""
        self._drafts = [draft_from_rule(rule) for rule in rules] or [
            draft_from_rule(DEFAULT_RULE)
        ]
        self._refresh_list()
        self._select(0)
        self._validate()

    def drafts(self) -> list[RuleDraft]:
        """Return the rules as edited so far, valid or not."""
        return list(self._drafts)

    def problems(self) -> list[str]:
        """Return one message per rule that cannot be built, naming the bad value."""
        messages = []
        last = len(self._drafts) - 1
        for index, draft in enumerate(self._drafts):
            try:
                build_rule(draft, index == last)
            except ValueError as exc:
                messages.append(self._problem_text(index, exc))
        return messages

    def rules(self) -> tuple[ResponseRule, ...]:
        """Return the edited rules, or raise ValueError with the first problem."""
        last = len(self._drafts) - 1
        built = []
        for index, draft in enumerate(self._drafts):
            try:
                built.append(build_rule(draft, index == last))
            except ValueError as exc:
                raise ValueError(self._problem_text(index, exc)) from None
        return tuple(built)

    def apply(self) -> bool:
        """Emit `rules_changed` with the edited rules; False when one is invalid."""
        try:
            rules = self.rules()
        except ValueError as exc:
            self._problem.setText(str(exc))
            return False
        logger.info("receiver rules edited: %d rules", len(rules))
        self.rules_changed.emit(rules)
        return True

    def add_rule(self) -> None:
        """Add a rule for /webhook just above the last rule and select it."""
        row = len(self._drafts) - 1
        self._drafts.insert(row, RuleDraft(path_prefix=NEW_RULE_PREFIX))
        self._refresh_list()
        self._select(row)
        self._validate()
        self._prefix.setFocus()
        self._prefix.selectAll()

    def remove_rule(self) -> None:
        """Remove the selected rule, unless it is the last one."""
        row = self._list.currentRow()
        if not 0 <= row < len(self._drafts) - 1:
            return
        del self._drafts[row]
        self._refresh_list()
        self._select(min(row, len(self._drafts) - 1))
        self._validate()

    def move_rule(self, step: int) -> None:
        """Move the selected rule up (-1) or down (1), staying above the last."""
        row = self._list.currentRow()
        target = row + step
        last = len(self._drafts) - 1
        if not (0 <= row < last and 0 <= target < last):
            return
        drafts = self._drafts
        drafts[row], drafts[target] = drafts[target], drafts[row]
        self._refresh_list()
        self._select(target)
        self._validate()

    def _select(self, row: int) -> None:
        """Make `row` current and show its rule, even when it was current already."""
        self._loading = True
        try:
            self._list.setCurrentRow(row)
        finally:
            self._loading = False
        self._load_form()
        self._update_buttons()

    def _problem_text(self, index: int, error: ValueError) -> str:
        message = str(error)
        message = message[:1].upper() + message[1:]
        return fill(self.tr("Rule %1 (%2): %3"), index + 1, self._label(index), message)

    def _label(self, index: int) -> str:
        if index == len(self._drafts) - 1:
            return self.tr("everything else")
        draft = self._drafts[index]
        return draft.name.strip() or draft.path_prefix.strip() or "?"

    def _summary(self, index: int) -> str:
        draft = self._drafts[index]
        if index == len(self._drafts) - 1:
            prefix = self.tr("(everything else)")
        else:
            prefix = draft.path_prefix.strip() or "?"
        text = f"{index + 1}.  {prefix}  →  {draft.status}"
        extras = []
        if draft.delay_ms:
            extras.append(fill(self.tr("%1 ms delay"), draft.delay_ms))
        if draft.fault is not Fault.NONE:
            extras.append(self._fault.itemText(self._fault.findData(draft.fault)))
        if draft.require_credentials:
            extras.append(self.tr("Basic auth"))
        if extras:
            text += "  ·  " + ", ".join(extras)
        if draft.name.strip():
            text += f"  ({draft.name.strip()})"
        return text

    def _refresh_list(self) -> None:
        self._loading = True
        try:
            row = self._list.currentRow()
            while self._list.count() > len(self._drafts):
                self._list.takeItem(self._list.count() - 1)
            while self._list.count() < len(self._drafts):
                self._list.addItem(QListWidgetItem())
            for index in range(len(self._drafts)):
                self._list.item(index).setText(self._summary(index))
            if row >= len(self._drafts):
                self._list.setCurrentRow(len(self._drafts) - 1)
        finally:
            self._loading = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self._list.currentRow()
        last = len(self._drafts) - 1
        movable = 0 <= row < last
        self._remove_button.setEnabled(movable)
        self._up_button.setEnabled(movable and row > 0)
        self._down_button.setEnabled(movable and row < last - 1)

    # The form of the selected rule.

    def _on_current_row_changed(self, _row: int) -> None:
        if self._loading:
            return
        self._load_form()
        self._update_buttons()

    def _load_form(self) -> None:
        row = self._list.currentRow()
        if not 0 <= row < len(self._drafts):
            return
        draft = self._drafts[row]
        is_last = row == len(self._drafts) - 1
        self._loading = True
        try:
            self._name.setText(draft.name)
            self._prefix.setEnabled(not is_last)
            self._prefix.setText(
                self.tr("(everything else)") if is_last else draft.path_prefix
            )
            self._status.setValue(draft.status)
            self._delay.setValue(draft.delay_ms)
            self._fault.setCurrentIndex(self._fault.findData(draft.fault))
            self._slow_interval.setValue(draft.slow_interval_ms)
            self._slow_interval.setEnabled(draft.fault is Fault.SLOW)
            self._require_credentials.setChecked(draft.require_credentials)
            self._username.setText(draft.username)
            self._password.setText(draft.password)
            self._username.setEnabled(draft.require_credentials)
            self._password.setEnabled(draft.require_credentials)
            self._headers.setPlainText(draft.headers_text)
            self._body.setPlainText(draft.body_text)
            self._body.setPlaceholderText(self._body_placeholder(draft))
        finally:
            self._loading = False

    def _body_placeholder(self, draft: RuleDraft) -> str:
        if draft.binary_body is not None:
            return fill(
                self.tr(
                    "A binary body of %1 bytes, kept as it is. Type text here to "
                    "replace it."
                ),
                len(draft.binary_body),
            )
        return self.tr("Empty body")

    def _on_field_edited(self) -> None:
        if self._loading:
            return
        row = self._list.currentRow()
        if not 0 <= row < len(self._drafts):
            return
        draft = self._drafts[row]
        is_last = row == len(self._drafts) - 1
        fault = Fault(self._fault.currentData())
        self._drafts[row] = draft.with_changes(
            name=self._name.text(),
            path_prefix=draft.path_prefix if is_last else self._prefix.text(),
            status=self._status.value(),
            delay_ms=self._delay.value(),
            fault=fault,
            slow_interval_ms=self._slow_interval.value(),
            require_credentials=self._require_credentials.isChecked(),
            username=self._username.text(),
            password=self._password.text(),
            headers_text=self._headers.toPlainText(),
            body_text=raw_plain_text(self._body),
        )
        self._slow_interval.setEnabled(fault is Fault.SLOW)
        self._username.setEnabled(self._require_credentials.isChecked())
        self._password.setEnabled(self._require_credentials.isChecked())
        self._list.item(row).setText(self._summary(row))
        self._validate()

    def _validate(self) -> None:
        problems = self.problems()
        self._problem.setText(problems[0] if problems else "")
        self._problem.setVisible(bool(problems))
        self._ok_button().setEnabled(not problems)
        self._apply_button().setEnabled(not problems)

        last = len(self._drafts) - 1
        for index in range(self._list.count()):
            item = self._list.item(index)
            try:
                build_rule(self._drafts[index], index == last)
            except ValueError as exc:
                item.setForeground(QColor(_PROBLEM_COLOUR))
                item.setToolTip(plain_tooltip(str(exc)))
            else:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")

    def _on_ok_clicked(self) -> None:
        if self.apply():
            self.accept()
