"""The endpoint check view: every topic sent with one webhook, judged as it arrives.

`CheckView` contains the expectation inputs, a live table of verdicts, a
progress bar and a summary, and saves the HTML, JSON and JUnit reports. The
run itself is a core CheckRunner on the qasync loop; this widget only shows
it. Selecting a row emits `delivery_chosen` so the window can open that
delivery in its response pane.
"""

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.check import (
    MAX_CONCURRENCY,
    CheckPlan,
    CheckResult,
    CheckRunner,
    CheckSummary,
    ExpectationError,
    Expectations,
    Recorder,
    TopicResult,
    Verdict,
    parse_field_expectation,
    parse_status_spec,
)
from bchook_studio.core.check.reports import html_report, json_report, junit_report
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.files import save_bytes
from bchook_studio.core.topics import Topic
from bchook_studio.core.webhook import ReceiverNotRunningError
from bchook_studio.gui.error_reporter import report_task_failure
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.save_paths import ask_save_path, save_error_text

logger = logging.getLogger(__name__)

VERDICT_COLOURS = {
    Verdict.PASSED: "#1a7f37",
    Verdict.FAILED: "#cf222e",
    Verdict.ERROR: "#9a6700",
    Verdict.CANCELLED: "#59636e",
}
_ERROR_STYLE = "color: #b02a37;"
_MAX_LIMIT_MS = 600_000
_MAX_PAUSE_MS = 60_000

CONTROLS_MIN_WIDTH = 430
"""Pixels of the column of settings and run controls beside the results table:
enough for the three Save buttons in one row."""

CONTROLS_MAX_WIDTH = 500

ReportWriter = Callable[[CheckResult], bytes]
_REPORTS: dict[str, tuple[ReportWriter, str]] = {
    "html": (html_report, "check-report.html"),
    "json": (json_report, "check-report.json"),
    "junit": (junit_report, "check-junit.xml"),
}


class CheckTableModel(QAbstractTableModel):
    """One row per topic of the plan; a row fills in when its verdict arrives."""

    TOPIC, TITLE, STATUS, TIME, VERDICT, REASON = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._topics: list[Topic] = []
        self._results: list[TopicResult | None] = []
        self._rows: dict[str, int] = {}

    def reset(self, topics: tuple[Topic, ...]) -> None:
        """Show `topics` with no verdicts yet."""
        self.beginResetModel()
        self._topics = list(topics)
        self._results = [None] * len(topics)
        self._rows = {topic.key: row for row, topic in enumerate(topics)}
        self.endResetModel()

    def set_result(self, result: TopicResult) -> None:
        """Fill in the row of the result's topic."""
        row = self._rows.get(result.topic.key)
        if row is None:
            return
        self._results[row] = result
        self.dataChanged.emit(
            self.index(row, 0), self.index(row, self.columnCount() - 1)
        )

    def result_at(self, row: int) -> TopicResult | None:
        """Return the verdict of a row, or None while it is pending."""
        if 0 <= row < len(self._results):
            return self._results[row]
        return None

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._topics)

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        if parent is not None and parent.isValid():
            return 0
        return 6

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation is not Qt.Orientation.Horizontal
            or role != Qt.ItemDataRole.DisplayRole
        ):
            return None
        titles = (
            self.tr("Topic"),
            self.tr("Title"),
            self.tr("Status"),
            self.tr("Time"),
            self.tr("Verdict"),
            self.tr("Reason"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        result = self._results[row]

        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(self._topics[row], result, column)
        if role == Qt.ItemDataRole.ToolTipRole and result is not None:
            return result.reason or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.STATUS,
            self.TIME,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.VERDICT:
            if result is not None:
                return QColor(VERDICT_COLOURS[result.verdict])
            return QColor("#59636e")
        if role == Qt.ItemDataRole.FontRole and column == self.VERDICT:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, topic: Topic, result: TopicResult | None, column: int) -> str:
        if column == self.TOPIC:
            return topic.key
        if column == self.TITLE:
            return topic.title
        if result is None:
            return self.tr("waiting…") if column == self.VERDICT else ""
        if column == self.STATUS:
            return "" if result.status is None else str(result.status)
        if column == self.TIME:
            elapsed = result.elapsed_ms
            return "" if elapsed is None else f"{elapsed:,.0f} ms"
        if column == self.VERDICT:
            return verdict_text(self, result.verdict)
        if column == self.REASON:
            prefix = f"{result.kind}: " if result.verdict is Verdict.ERROR else ""
            return prefix + " ".join(result.reason.split())
        return ""


def verdict_text(translator: QObject, verdict: Verdict) -> str:
    """Return a verdict as the table shows it."""
    texts = {
        Verdict.PASSED: translator.tr("passed"),
        Verdict.FAILED: translator.tr("failed"),
        Verdict.ERROR: translator.tr("error"),
        Verdict.CANCELLED: translator.tr("cancelled"),
    }
    return texts[verdict]


class CheckView(QWidget):
    """Runs a check plan and shows its verdicts as they arrive.

    Call `set_plan()` to show a webhook's plan, then `start()` (or let the
    user press Run); the expectation inputs override the plan's. The pool is
    the app's shared ClientPool, and `recorder` records each delivery in the
    history (through the window's StoreController).
    """

    run_started = Signal()
    topic_finished = Signal(object)
    """A TopicResult, as soon as its verdict is known (cancelled ones too)."""

    run_finished = Signal(object)
    """The CheckResult of a run that finished or was cancelled."""

    delivery_chosen = Signal(object)
    """The DeliveryResult of the row the user selected."""

    def __init__(
        self,
        pool: ClientPool,
        recorder: Recorder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._recorder = recorder
        self._plan: CheckPlan | None = None
        self._plan_source: Callable[[], tuple[CheckPlan, Recorder | None]] | None = None
        self._runner: CheckRunner | None = None
        self._run_task: asyncio.Future[None] | None = None
        self._save_task: asyncio.Future[None] | None = None
        self._result: CheckResult | None = None
        self._finished_count = 0
        self._inputs_valid = True

        self._target = QLabel(self)
        self._target.setTextFormat(Qt.TextFormat.PlainText)
        self._target.setWordWrap(True)
        self._status_edit = QLineEdit("2xx", self)
        self._max_ms = QSpinBox(self)
        self._max_ms.setRange(0, _MAX_LIMIT_MS)
        self._max_ms.setSingleStep(100)
        self._body_contains = QLineEdit(self)
        self._fields = QPlainTextEdit(self)
        self._fields.setTabChangesFocus(True)
        self._fields.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self._concurrency = QSpinBox(self)
        self._concurrency.setRange(1, MAX_CONCURRENCY)
        self._concurrency.setValue(4)
        self._pause = QSpinBox(self)
        self._pause.setRange(0, _MAX_PAUSE_MS)
        self._pause.setSingleStep(50)
        self._validation = QLabel(self)
        self._validation.setTextFormat(Qt.TextFormat.PlainText)
        self._validation.setWordWrap(True)
        self._validation.setStyleSheet(_ERROR_STYLE)
        self._validation.hide()

        self._run_button = QPushButton(self)
        self._cancel_button = QPushButton(self)
        self._progress = QProgressBar(self)
        self._progress.setTextVisible(True)
        self._summary = QLabel(self)
        self._summary.setTextFormat(Qt.TextFormat.PlainText)
        self._summary.setWordWrap(True)
        self._message = QLabel(self)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setWordWrap(True)
        self._message.hide()
        self._save_buttons = {kind: QPushButton(self) for kind in _REPORTS}

        self.model = CheckTableModel(self)
        self._table = QTableView(self)
        self._table.setModel(self.model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().setVisible(False)
        self._table.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 8
        )
        self._table.setWordWrap(False)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            CheckTableModel.REASON, QHeaderView.ResizeMode.Stretch
        )

        self._build_layout()
        self._connect()
        self.retranslate_ui()
        self._validate()
        self._update_buttons()

    def _build_layout(self) -> None:
        self._form_labels = [QLabel(self) for _ in range(5)]
        self._form = QFormLayout()
        for label, field in zip(
            self._form_labels,
            (self._status_edit, self._max_ms, self._body_contains, self._fields),
            strict=False,
        ):
            label.setBuddy(field)
            self._form.addRow(label, field)
        pacing = QHBoxLayout()
        pacing.addWidget(self._concurrency)
        self._pause_label = QLabel(self)
        self._pause_label.setBuddy(self._pause)
        pacing.addSpacing(12)
        pacing.addWidget(self._pause_label)
        pacing.addWidget(self._pause)
        pacing.addStretch(1)
        self._form_labels[4].setBuddy(self._concurrency)
        self._form.addRow(self._form_labels[4], pacing)

        run_row = QHBoxLayout()
        run_row.addWidget(self._run_button)
        run_row.addWidget(self._cancel_button)
        run_row.addWidget(self._progress, 1)

        save_row = QHBoxLayout()
        for button in self._save_buttons.values():
            save_row.addWidget(button)
        save_row.addStretch(1)

        # The run controls, the summary and the report buttons stay in view
        # above the settings, which scroll when the dock is short.
        settings = QWidget(self)
        settings_layout = QVBoxLayout(settings)
        settings_layout.setContentsMargins(0, 0, 0, 0)
        settings_layout.addLayout(self._form)
        settings_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # The controls sit in a column beside the results, so a short bottom
        # dock gives the table its whole height.
        controls = QWidget(self)
        controls.setMinimumWidth(CONTROLS_MIN_WIDTH)
        controls.setMaximumWidth(CONTROLS_MAX_WIDTH)
        controls_layout = QVBoxLayout(controls)
        controls_layout.setContentsMargins(0, 0, 6, 0)
        controls_layout.addWidget(self._target)
        controls_layout.addLayout(run_row)
        controls_layout.addWidget(self._summary)
        controls_layout.addLayout(save_row)
        controls_layout.addWidget(self._message)
        controls_layout.addWidget(self._validation)
        controls_layout.addWidget(scroll, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(controls)
        layout.addWidget(self._table, 1)

    def _connect(self) -> None:
        self._status_edit.textChanged.connect(self._validate)
        self._body_contains.textChanged.connect(self._validate)
        self._fields.textChanged.connect(self._validate)
        self._run_button.clicked.connect(self._on_run_clicked)
        self._cancel_button.clicked.connect(self.cancel)
        for kind, button in self._save_buttons.items():
            button.clicked.connect(
                lambda _checked=False, kind=kind: self._on_save_clicked(kind)
            )
        self._table.selectionModel().selectionChanged.connect(
            self._on_selection_changed
        )

    def retranslate_ui(self) -> None:
        """Set every visible string through tr()."""
        texts = (
            self.tr("Expected &status"),
            self.tr("&Time limit"),
            self.tr("&Body contains"),
            self.tr("&Fields"),
            self.tr("Co&ncurrency"),
        )
        for label, text in zip(self._form_labels, texts, strict=True):
            label.setText(text)

        self._status_edit.setPlaceholderText(self.tr("2xx, 201, 200-299 or a list"))
        self._status_edit.setToolTip(
            self.tr(
                "Accepted statuses: a code (201), a class (2xx), a range "
                "(200-299), or a comma list of these."
            )
        )
        self._max_ms.setSpecialValueText(self.tr("no limit"))
        self._max_ms.setSuffix(self.tr(" ms"))
        self._max_ms.setToolTip(
            self.tr(
                "Milliseconds allowed from the start of a request to its "
                "complete response."
            )
        )
        self._body_contains.setPlaceholderText(
            self.tr("text every response body must contain (optional)")
        )
        self._fields.setPlaceholderText(
            self.tr("One per line: /data/ok=true for JSON, //status=ok for XML")
        )

        self._pause_label.setText(self.tr("&Pause between starts"))
        self._pause.setSuffix(self.tr(" ms"))
        self._run_button.setText(self.tr("Run check"))
        self._cancel_button.setText(self.tr("Cancel"))
        self._progress.setFormat(self.tr("%v of %m"))

        self._save_buttons["html"].setText(self.tr("Save HTML…"))
        self._save_buttons["json"].setText(self.tr("Save JSON…"))
        self._save_buttons["junit"].setText(self.tr("Save JUnit…"))
        self._show_target()
        self._show_summary()

    # Public API.

    @property
    def plan(self) -> CheckPlan | None:
        """The plan the next run starts from, without the inputs applied."""
        return self._plan

    @property
    def last_result(self) -> CheckResult | None:
        """The result of the last run that ended, or None."""
        return self._result

    def is_running(self) -> bool:
        return self._runner is not None

    def set_recorder(self, recorder: Recorder | None) -> None:
        """Record the deliveries of the runs started from now on with `recorder`.

        A recorder is bound to one webhook's id and name, so set it with the plan.
        """
        self._recorder = recorder

    def set_plan_source(
        self, source: Callable[[], tuple[CheckPlan, Recorder | None]] | None
    ) -> None:
        """Take the plan's target from `source` again each time Run is clicked.

        The window's source reads the form as it is then, so a URL edited, or a
        receiver stopped, since Check endpoint… was pressed is what the run
        uses. The expectations and pacing stay as the inputs give them.
        """
        self._plan_source = source

    def set_plan(self, plan: CheckPlan) -> None:
        """Show `plan` and fill the inputs from its expectations and pacing."""
        self._plan = plan
        expectations = plan.expectations
        self._status_edit.setText(expectations.status.text)
        self._max_ms.setValue(expectations.max_ms or 0)
        self._body_contains.setText(expectations.body_contains or "")
        self._fields.setPlainText("\n".join(f.text for f in expectations.fields))
        self._concurrency.setValue(plan.concurrency)
        self._pause.setValue(plan.pause_ms)
        self.model.reset(plan.topics)
        self._show_target()
        self._update_buttons()

    def start(self, plan: CheckPlan | None = None) -> bool:
        """Start a run of `plan` (or the plan set before) with the inputs applied.

        Returns False, with the reason shown, when the inputs are invalid, no
        plan is set, the receiver the plan targets is stopped, or a run is
        already going.
        """
        if plan is not None:
            self.set_plan(plan)
        if self._plan is None or self.is_running():
            return False
        try:
            expectations = self.expectations()
        except ExpectationError as exc:
            self._show_validation(str(exc))
            return False

        run_plan = self._plan.with_changes(
            expectations=expectations,
            concurrency=self._concurrency.value(),
            pause_ms=self._pause.value(),
        )
        try:
            run_plan.topic_url(run_plan.topics[0])
        except ReceiverNotRunningError as exc:
            self._show_message(_sentence(str(exc)))
            return False

        self._runner = CheckRunner(
            run_plan,
            self._pool,
            recorder=self._recorder,
            on_result=self._on_topic_result,
        )
        self._finished_count = 0
        self._result = None
        self.model.reset(run_plan.topics)
        self._progress.setRange(0, len(run_plan.topics))
        self._progress.setValue(0)
        self._show_message("")
        self._run_task = asyncio.ensure_future(self._run(self._runner))
        self._update_buttons()
        self._show_summary()
        self.run_started.emit()
        return True

    def cancel(self) -> None:
        """Cancel the run: deliveries in flight stop and the rest are not sent."""
        if self._runner is not None:
            self._runner.cancel()

    def expectations(self) -> Expectations:
        """Return the expectations the inputs describe, or raise ExpectationError."""
        status = parse_status_spec(self._status_edit.text())
        fields = tuple(
            parse_field_expectation(line)
            for line in self._fields.toPlainText().splitlines()
            if line.strip()
        )
        body_contains = self._body_contains.text()
        return Expectations(
            status=status,
            max_ms=self._max_ms.value() or None,
            body_contains=body_contains or None,
            fields=fields,
        )

    async def aclose(self) -> None:
        """Cancel the run and wait for it and for a report being saved."""
        self.cancel()
        for task in (self._run_task, self._save_task):
            if task is not None and not task.done():
                await asyncio.gather(task, return_exceptions=True)

    # Running.

    async def _run(self, runner: CheckRunner) -> None:
        result = None
        try:
            result = await runner.run()
        except ReceiverNotRunningError as exc:
            self._show_message(_sentence(str(exc)))
        except Exception as exc:
            logger.exception("the check run failed")
            self._show_message(
                self.tr("The check stopped: %1. See the log file for details.").replace(
                    "%1", str(exc)
                )
            )
        finally:
            self._runner = None
            if result is not None:
                self._result = result
            self._update_buttons()
            self._show_summary()

        if result is not None:
            self.run_finished.emit(result)

    def _on_topic_result(self, result: TopicResult) -> None:
        self.model.set_result(result)
        self._finished_count += 1
        self._progress.setValue(self._finished_count)
        self._show_summary()
        self.topic_finished.emit(result)

    def _on_run_clicked(self) -> None:
        if self._plan_source is not None and self._plan is not None:
            plan, recorder = self._plan_source()
            self._plan = plan
            self._recorder = recorder
            self._show_target()
        self.start()

    def _on_selection_changed(
        self, selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        result = self.model.result_at(indexes[0].row())
        if result is not None and result.delivery is not None:
            self.delivery_chosen.emit(result.delivery)

    # Reports.

    def _on_save_clicked(self, kind: str) -> None:
        result = self._result
        if result is None:
            return
        _writer, default_name = _REPORTS[kind]
        titles = {
            "html": self.tr("Save HTML report"),
            "json": self.tr("Save JSON report"),
            "junit": self.tr("Save JUnit XML report"),
        }
        path = ask_save_path(self, titles[kind], default_name)
        if path is not None:
            self._save_task = asyncio.ensure_future(
                self.save_report(kind, path, result)
            )
            self._save_task.add_done_callback(report_task_failure)

    async def save_report(
        self, kind: str, path: Path, result: CheckResult | None = None
    ) -> bool:
        """Write the `html`, `json` or `junit` report of a run to `path`.

        The run defaults to the last one. A failure is shown in the view, not
        raised. Returns True when the file was written.
        """
        result = result if result is not None else self._result
        if result is None:
            return False
        writer, _default_name = _REPORTS[kind]
        try:
            data = await asyncio.to_thread(writer, result)
            await save_bytes(path, data)
        except OSError as exc:
            logger.warning("saving the %s report to %s failed: %s", kind, path, exc)
            self._show_message(
                save_error_text(
                    self.tr("Could not save the report to %1: %2."), path, exc
                )
            )
            return False
        self._show_message(self.tr("Saved the report to %1.").replace("%1", str(path)))
        return True

    # Display.

    def _validate(self) -> None:
        try:
            self.expectations()
        except ExpectationError as exc:
            self._inputs_valid = False
            self._show_validation(str(exc))
        else:
            self._inputs_valid = True
            self._show_validation("")
        self._update_buttons()

    def _show_validation(self, text: str) -> None:
        self._validation.setText(_sentence(text))
        self._validation.setVisible(bool(text))

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        running = self.is_running()
        self._run_button.setEnabled(
            self._plan is not None and self._inputs_valid and not running
        )
        self._cancel_button.setEnabled(running)
        for button in self._save_buttons.values():
            button.setEnabled(self._result is not None and not running)

    def _show_target(self) -> None:
        plan = self._plan
        if plan is None:
            self._target.setText(self.tr("Choose a webhook to check its endpoint."))
            return
        self._target.setText(
            fill(
                self.tr("%1 topics to %2 as %3"),
                str(len(plan.topics)),
                plan.masked_url(),
                plan.body_format.value.upper(),
            )
        )

    def _show_summary(self) -> None:
        if self.is_running():
            total = self._progress.maximum()
            self._summary.setText(
                fill(self.tr("%1 of %2 done"), str(self._finished_count), str(total))
            )
            return
        if self._result is None:
            self._summary.setText("")
            return
        text = summary_text(self, self._result.summary)
        if self._result.cancelled and not self._result.summary.cancelled:
            # The run was stopped between topics, so no topic shows it.
            text += self.tr(" (cancelled)")
        self._summary.setText(text)


def summary_text(translator: QObject, summary: CheckSummary) -> str:
    """Return a run's summary, such as `21 of 24 passed · 2 failed · 1 error`."""
    parts = [
        fill(translator.tr("%1 of %2 passed"), str(summary.passed), str(summary.total))
    ]
    if summary.failed:
        parts.append(translator.tr("%1 failed").replace("%1", str(summary.failed)))
    if summary.errors == 1:
        parts.append(translator.tr("1 error"))
    elif summary.errors:
        parts.append(translator.tr("%1 errors").replace("%1", str(summary.errors)))
    if summary.cancelled:
        parts.append(
            translator.tr("%1 cancelled").replace("%1", str(summary.cancelled))
        )
    return " · ".join(parts)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
