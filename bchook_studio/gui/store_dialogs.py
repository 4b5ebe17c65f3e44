"""Dialogs and bars around the store: secret storage, notices, export, import.

Nothing here blocks in a coroutine: dialogs open with `open()` and report
through signals, file dialogs run from plain slots, and the file and store
work runs through the StoreController or `core.files` off the GUI thread.
The export, import and secret-storage modules are imported on first use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.files import save_bytes
from bchook_studio.core.store.errors import StoreError
from bchook_studio.core.store.notices import NoticeKind, StoreNotice
from bchook_studio.gui.error_reporter import report_task_failure
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.save_paths import (
    ask_open_path,
    ask_save_path,
    save_error_text,
)
from bchook_studio.gui.store_controller import StoreController

if TYPE_CHECKING:
    from bchook_studio.core.export.curl import BodyFile
    from bchook_studio.core.export.history_entries import EntryExport, ExportKind
    from bchook_studio.core.export.importing import ImportReport
    from bchook_studio.core.store.secrets import SecretStorePolicy

logger = logging.getLogger(__name__)


# The secrets choice.


class SecretStorageDialog(QDialog):
    """The one-time choice of where secrets go when no keychain is usable.

    Open it with `open()`. It emits `chosen` with SESSION_ONLY or DATABASE
    when the user confirms. "Decide later" closes it without a choice, so new
    secrets stay for the session only and the question comes back next start.
    """

    chosen = Signal(object)
    """The SecretStorePolicy the user picked."""

    def __init__(
        self, database_path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._database_path = database_path
        self.setWindowModality(Qt.WindowModality.WindowModal)

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._intro.setTextFormat(Qt.TextFormat.PlainText)
        self._session_button = QRadioButton(self)
        self._session_button.setChecked(True)
        self._session_text = _hint_label(self)
        self._database_button = QRadioButton(self)
        self._database_text = _hint_label(self)
        self._later_note = _hint_label(self)
        self._group = QButtonGroup(self)
        self._group.addButton(self._session_button)
        self._group.addButton(self._database_button)

        self._buttons = QDialogButtonBox(self)
        self._ok_button = self._buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        self._later_button = self._buttons.addButton(
            "", QDialogButtonBox.ButtonRole.RejectRole
        )
        self._ok_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self._intro)
        layout.addSpacing(6)
        layout.addWidget(self._session_button)
        layout.addWidget(self._session_text)
        layout.addSpacing(4)
        layout.addWidget(self._database_button)
        layout.addWidget(self._database_text)
        layout.addSpacing(6)
        layout.addWidget(self._later_note)
        layout.addSpacing(6)
        layout.addWidget(self._buttons)

        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self.retranslate_ui()
        self.resize(_DIALOG_WIDTH, layout.totalHeightForWidth(_DIALOG_WIDTH))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Where should passwords be kept?"))
        self._intro.setText(
            self.tr(
                "Hook Studio found no system keychain it can use (such as the "
                "macOS Keychain, Windows Credential Manager, GNOME Keyring or "
                "KWallet). Choose where the passwords and secret header values "
                "of saved webhooks go instead."
            )
        )
        self._session_button.setText(self.tr("Keep them for this session only"))
        self._session_text.setText(
            self.tr(
                "Secrets stay in memory until you quit. Everything else about a "
                "webhook is saved, and after the next start you enter its "
                "passwords again."
            )
        )
        self._database_button.setText(
            self.tr("Store them in the database, marked as such")
        )
        location = (
            str(self._database_path)
            if self._database_path is not None
            else self.tr("the database file")
        )
        self._database_text.setText(
            fill(
                self.tr(
                    "Secrets are written unencrypted to %1, and each is marked as "
                    "stored there. Anyone who can read that file can read them, "
                    "so choose this only on a machine and account you trust."
                ),
                location,
            )
        )
        self._later_note.setText(
            self.tr(
                "The choice applies to secrets saved from now on. Webhooks saved "
                "earlier keep theirs where they are until you save them again."
            )
        )
        self._later_button.setText(self.tr("Decide later"))

    @property
    def session_button(self) -> QRadioButton:
        return self._session_button

    @property
    def database_button(self) -> QRadioButton:
        return self._database_button

    def policy(self) -> SecretStorePolicy:
        """Return the storage the radio buttons select."""
        from bchook_studio.core.store.secrets import SecretStorePolicy

        if self._database_button.isChecked():
            return SecretStorePolicy.DATABASE
        return SecretStorePolicy.SESSION_ONLY

    def accept(self) -> None:
        policy = self.policy()
        super().accept()
        self.chosen.emit(policy)


_DIALOG_WIDTH = 540


def _hint_label(parent: QWidget) -> QLabel:
    """Return a grey, wrapped label indented to line up with radio button text."""
    # Imported here, because QStyle's enum types take about 5 ms to build.
    from PySide6.QtWidgets import QStyle

    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    style = parent.style()
    indicator = style.pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth)
    spacing = style.pixelMetric(QStyle.PixelMetric.PM_RadioButtonLabelSpacing)
    label.setContentsMargins(indicator + spacing, 0, 0, 0)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


# Notices.


class NoticeLevel(StrEnum):
    """The severity of a banner message, which sets its colours."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_LEVEL_STYLES = {
    NoticeLevel.INFO: ("#e7f1fb", "#8db4dc", "#17324d"),
    NoticeLevel.WARNING: ("#fff4d6", "#e0c46c", "#4d3b00"),
    NoticeLevel.ERROR: ("#fbe9eb", "#e3a1a8", "#5c1a21"),
}
"""Background, border and text colours per level."""


def notice_level(notice: StoreNotice) -> NoticeLevel:
    """Return the banner level of a store notice: a moved-aside file is an error."""
    if notice.kind is NoticeKind.MOVED_ASIDE:
        return NoticeLevel.ERROR
    return NoticeLevel.WARNING


class NoticeBanner(QFrame):
    """A bar above the work area with one or more sentences and a close button.

    It is for things the user should read once, such as "The database was
    moved aside to …" or "Opened read-only because …". The text can be
    selected, so a path can be copied. A message can come with one button,
    which emits `action_triggered`.
    """

    dismissed = Signal()
    action_triggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self._level = NoticeLevel.INFO
        self._label = QLabel(self)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._close_button = QToolButton(self)
        self._close_button.setAutoRaise(True)
        self._close_button.setText("✕")
        self._action_button: QPushButton | None = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._layout = layout

        self._close_button.clicked.connect(self._on_close_clicked)
        self.retranslate_ui()
        self._apply_style()
        self.hide()

    def retranslate_ui(self) -> None:
        self._close_button.setToolTip(self.tr("Hide this message"))

    @property
    def label(self) -> QLabel:
        return self._label

    @property
    def level(self) -> NoticeLevel:
        return self._level

    @property
    def action_button(self) -> QPushButton | None:
        """The button of the message shown, or None when it has none."""
        if self._action_button is None or self._action_button.isHidden():
            return None
        return self._action_button

    def show_message(
        self,
        text: str,
        level: NoticeLevel = NoticeLevel.INFO,
        action: str | None = None,
    ) -> None:
        """Show `text` (several paragraphs allowed) at `level`.

        With `action`, the message has a button of that text.
        """
        self._level = level
        self._label.setText(text)
        self._set_action(action)
        self._apply_style()
        self.show()

    def show_notices(self, notices: Sequence[StoreNotice]) -> None:
        """Show the store's notices, one paragraph each, at the most serious level."""
        if not notices:
            return
        levels = [notice_level(notice) for notice in notices]
        level = NoticeLevel.ERROR if NoticeLevel.ERROR in levels else levels[0]
        self.show_message("\n\n".join(notice.message for notice in notices), level)

    def _set_action(self, text: str | None) -> None:
        if text is None:
            if self._action_button is not None:
                self._action_button.hide()
            return
        if self._action_button is None:
            self._action_button = QPushButton(self)
            self._action_button.clicked.connect(self.action_triggered)
            self._layout.insertWidget(
                1, self._action_button, 0, Qt.AlignmentFlag.AlignTop
            )
        self._action_button.setText(text)
        self._action_button.show()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()

    def _apply_style(self) -> None:
        background, border, text = _LEVEL_STYLES[self._level]
        self.setStyleSheet(
            f"QFrame#noticeBanner {{ background: {background};"
            f" border: 1px solid {border}; border-radius: 4px; }}"
            f" QFrame#noticeBanner QLabel {{ color: {text}; }}"
        )


# Exports.


async def write_export(
    path: Path, text: str, files: Sequence[BodyFile] = ()
) -> list[Path]:
    """Write an export's text to `path` and its body files, and return every path.

    A body file named by a relative path goes next to `path`. Each file is
    written atomically on a worker thread. Raises OSError on the first failure.
    """
    path = Path(path)
    written = []
    for body_file in files:
        target = path.parent / body_file.name
        await save_bytes(target, body_file.data)
        written.append(target)
    await save_bytes(path, text.encode("utf-8"))
    written.insert(0, path)
    return written


def body_file_path(path: Path) -> Path:
    """Return where a command saved as `path` keeps its body: `NAME-body.bin`."""
    return path.with_name(f"{path.stem}-body.bin")


class ExportWriter(QObject):
    """Saves history entries and webhook definitions to files the user picks.

    `export_entry` and `export_definitions` open a file dialog (call them from
    plain slots), then write in a task. `finished` carries a sentence for the
    status bar, `failed` one for an error message.
    """

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, controller: StoreController, parent: QWidget) -> None:
        super().__init__(parent)
        self._controller = controller
        self._parent = parent
        self._tasks: set[asyncio.Future[Any]] = set()

    def export_entry(self, entry_id: int, kind: str) -> None:
        """Ask for a file name, then export history entry `entry_id` as `kind`."""
        from bchook_studio.core.export.history_entries import ExportKind

        export_kind = ExportKind(kind)
        path = ask_save_path(
            self._parent,
            fill(self.tr("Export delivery %1"), entry_id),
            f"delivery-{entry_id}{export_kind.suffix}",
            _file_filter(export_kind),
        )
        if path is not None:
            self._start(self.export_entry_to(entry_id, export_kind, path))

    def export_definitions(self) -> None:
        """Ask for a file name, then save every webhook (secrets left out)."""
        path = ask_save_path(
            self._parent,
            self.tr("Export saved webhooks"),
            "webhooks.json",
            self.tr("Webhook definitions (*.json)"),
        )
        if path is not None:
            self._start(self.export_definitions_to(path))

    async def export_entry_to(
        self, entry_id: int, kind: ExportKind, path: Path, *, show_secrets: bool = False
    ) -> list[Path]:
        """Export a history entry to `path` (and its body file), returning the paths.

        Failures are reported through `failed` and return [].
        """
        from bchook_studio.core.store.resend import ResendError

        try:
            export = await self._controller.export_entry(
                entry_id,
                kind,
                body_file=str(body_file_path(path).resolve()),
                show_secrets=show_secrets,
            )
            written = await write_export(path, export.text, export.files)
        except (StoreError, ResendError) as exc:
            self._fail(fill(self.tr("Could not export delivery %1: %2"), entry_id, exc))
            return []
        except OSError as exc:
            self._fail(_write_error(self.tr, path, exc))
            return []
        self.finished.emit(_export_message(self.tr, export, written))
        return written

    async def export_definitions_to(
        self, path: Path, *, with_secrets: bool = False
    ) -> bool:
        """Save every webhook to `path` as definitions (False, reported, on failure)."""
        try:
            text = await self._controller.export_definitions(with_secrets=with_secrets)
            await save_bytes(path, text.encode("utf-8"))
        except StoreError as exc:
            self._fail(fill(self.tr("Could not export the saved webhooks: %1"), exc))
            return False
        except OSError as exc:
            self._fail(_write_error(self.tr, path, exc))
            return False
        self.finished.emit(fill(self.tr("Saved the webhooks to %1."), path))
        return True

    async def aclose(self) -> None:
        """Wait for exports still being written."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _fail(self, message: str) -> None:
        logger.warning("%s", message)
        self.failed.emit(message)

    def _start(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_task_failure)


def _file_filter(kind: ExportKind) -> str:
    from bchook_studio.core.export.history_entries import ExportKind

    names = {
        ExportKind.CURL: "cURL command (*.sh)",
        ExportKind.POWERSHELL: "PowerShell script (*.ps1)",
        ExportKind.HAR: "HTTP Archive (*.har)",
        ExportKind.TEXT: "Text report (*.txt)",
    }
    translate = QCoreApplication.translate
    return (
        translate("ExportWriter", names[kind])
        + ";;"
        + translate("ExportWriter", "All files (*)")
    )


def _export_message(tr: Any, export: EntryExport, written: list[Path]) -> str:
    if len(written) > 1:
        return fill(
            tr(
                "Saved delivery %1 to %2. The body is binary or large, so it went "
                "to %3, which the command reads."
            ),
            export.entry_id,
            written[0],
            written[1],
        )
    return fill(tr("Saved delivery %1 to %2."), export.entry_id, written[0])


def _write_error(tr: Any, path: Path, error: OSError) -> str:
    return save_error_text(tr("Could not write %1: %2."), path, error)


# Imports.


_LISTED_IMPORTS = 15
"""Imported names the summary lists; a longer list would be taller than a screen."""


def import_summary(report: ImportReport) -> str:
    """Return what an import did, in sentences, with each imported name."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("ImportFlow", text)

    if not report.imported:
        lines = [tr("The file contains no webhooks, so nothing was imported.")]
    else:
        count = len(report.imported)
        if count == 1:
            lines = [tr("Imported 1 webhook:")]
        else:
            lines = [fill(tr("Imported %1 webhooks:"), count)]
        listed = report.imported[:_LISTED_IMPORTS]
        for item in listed:
            if item.name != item.requested_name:
                lines.append(
                    fill(
                        tr("• %1 (saved as %2, because the name was taken)"),
                        item.requested_name,
                        item.name,
                    )
                )
            else:
                lines.append(f"• {item.name}")
        if count > len(listed):
            lines.append(
                fill(
                    tr("• and %1 more, listed under Saved webhooks"),
                    count - len(listed),
                )
            )
    if report.warnings:
        lines.append("")
        lines += [fill(tr("Note: %1"), warning) for warning in report.warnings]
    return "\n".join(lines)


class ImportFlow(QObject):
    """Choose a file, import it off the GUI thread, then show what was imported.

    `start()` opens the file dialog (call it from a plain slot). The summary
    opens in a non-blocking message box, `finished` carries the ImportReport,
    and `failed` a sentence saying what went wrong.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, controller: StoreController, parent: QWidget) -> None:
        super().__init__(parent)
        self._controller = controller
        self._parent = parent
        self._folder = ""
        self._tasks: set[asyncio.Future[Any]] = set()
        self._summary_box: QMessageBox | None = None

    @property
    def summary_box(self) -> QMessageBox | None:
        """The message box showing the last import's summary, while it is open."""
        return self._summary_box

    def start(self) -> None:
        """Ask for a definitions file or a cURL command file, then import it."""
        path = ask_open_path(
            self._parent,
            self.tr("Import webhooks"),
            self._folder or str(Path.home()),
            self.tr(
                "Webhook definitions or cURL commands (*.json *.sh *.txt *.curl);;"
                "All files (*)"
            ),
        )
        if path:
            self._folder = str(Path(path).parent)
            task = asyncio.ensure_future(self.import_path(Path(path)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(report_task_failure)

    async def import_path(self, path: Path) -> ImportReport | None:
        """Import `path`, show the summary, and return the report (None: failed)."""
        from bchook_studio.core.export.importing import ImportFileError

        try:
            report = await self._controller.import_file(path)
        except (ImportFileError, StoreError) as exc:
            message = fill(self.tr("Could not import %1: %2"), path, exc)
            logger.warning("%s", message)
            self._show(QMessageBox.Icon.Warning, self.tr("Import failed"), message)
            self.failed.emit(message)
            return None
        except OSError as exc:
            message = fill(
                self.tr("Could not read %1: %2. Check the file and try again."),
                path,
                exc.strerror or exc,
            )
            self._show(QMessageBox.Icon.Warning, self.tr("Import failed"), message)
            self.failed.emit(message)
            return None
        self._show(
            QMessageBox.Icon.Information,
            self.tr("Import finished"),
            import_summary(report),
        )
        self.finished.emit(report)
        return report

    async def aclose(self) -> None:
        """Wait for an import still running."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _show(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(
            icon, title, text, QMessageBox.StandardButton.Ok, self._parent
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_summary_closed)
        self._summary_box = box
        box.open()

    def _on_summary_closed(self, _result: int) -> None:
        self._summary_box = None
