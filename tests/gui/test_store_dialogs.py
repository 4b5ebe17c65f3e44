"""The secrets choice, the notice banner, exports to files and imports."""

import json
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

from bchook_studio.core.export.curl import BodyFile
from bchook_studio.core.export.definitions import (
    WebhookDefinition,
    definitions_to_json,
)
from bchook_studio.core.export.history_entries import ExportKind
from bchook_studio.core.export.masking import MASK
from bchook_studio.core.store import (
    NoticeKind,
    SecretStorePolicy,
    Store,
    StoreNotice,
)
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.store_dialogs import (
    ExportWriter,
    ImportFlow,
    NoticeBanner,
    NoticeLevel,
    SecretStorageDialog,
    import_summary,
    write_export,
)
from tests.gui.conftest import run_in_loop
from tests.gui.store_support import (
    PASSWORD,
    close_controller,
    open_controller,
    send_all,
    status_from_path,
    webhook_for,
)
from tests.servers import RawServer
from tests.store_fixtures import use_keyring


@pytest.fixture
def keychain():
    with use_keyring() as backend:
        yield backend


@pytest.fixture
def controller(qtbot, qloop, app_home, keychain):
    opened = open_controller(qtbot, app_home / "studio.sqlite3")
    yield opened
    close_controller(qtbot, opened)


@pytest.fixture
def window(qtbot, qapp):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# Placeholders.


def test_fill_ignores_percent_in_values():
    text = fill("Sent to %1: %2", "http://h/a%20b%2", "done")
    assert text == "Sent to http://h/a%20b%2: done"


def test_fill_leaves_missing_values():
    assert fill("%1 and %3", "a") == "a and %3"


# The secrets choice.


def test_secrets_dialog_database(qtbot, window, app_home):
    dialog = SecretStorageDialog(app_home / "studio.sqlite3", window)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    dialog.database_button.click()
    ok = dialog._buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.chosen, timeout=2000) as blocker:
        ok.click()
    assert blocker.args == [SecretStorePolicy.DATABASE]
    assert not dialog.isVisible()


def test_secrets_dialog_default_session(qtbot, window):
    dialog = SecretStorageDialog(None, window)
    dialog.open()
    with qtbot.waitSignal(dialog.chosen, timeout=2000) as blocker:
        dialog._buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert blocker.args == [SecretStorePolicy.SESSION_ONLY]


def test_secrets_dialog_later_chooses_nothing(qtbot, window):
    dialog = SecretStorageDialog(None, window)
    chosen = []
    dialog.chosen.connect(chosen.append)
    dialog.open()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert chosen == []
    assert not dialog.isVisible()


def test_secrets_dialog_names_file(qtbot, window, app_home):
    path = app_home / "studio.sqlite3"
    dialog = SecretStorageDialog(path, window)
    assert str(path) in dialog._database_text.text()
    assert "unencrypted" in dialog._database_text.text()


def test_chosen_policy_reaches_store(qtbot, qloop, window, app_home):
    controller = open_controller(qtbot, app_home / "studio.sqlite3")
    dialog = SecretStorageDialog(controller.database_path, window)
    dialog.chosen.connect(
        lambda policy: run_in_loop(qtbot, controller.choose_secret_storage(policy))
    )
    dialog.open()
    dialog.database_button.click()
    dialog._buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    close_controller(qtbot, controller)
    with Store.open(app_home / "studio.sqlite3") as store:
        assert store.secrets.chosen_fallback is SecretStorePolicy.DATABASE


# The banner.


def notice(kind: NoticeKind, message: str, tmp_path) -> StoreNotice:
    return StoreNotice(kind, message, tmp_path / "studio.sqlite3")


def test_banner_moved_aside_is_error(qtbot, window, tmp_path):
    banner = NoticeBanner(window)
    banner.show_notices(
        [notice(NoticeKind.MOVED_ASIDE, "The database was moved aside.", tmp_path)]
    )
    assert banner.isVisible()
    assert banner.level is NoticeLevel.ERROR
    assert banner.label.text() == "The database was moved aside."


def test_banner_joins_notices(qtbot, window, tmp_path):
    banner = NoticeBanner(window)
    banner.show_notices(
        [
            notice(NoticeKind.READ_ONLY_LOCKED, "Opened read-only.", tmp_path),
            notice(NoticeKind.READ_ONLY_NEWER, "Written by a newer version.", tmp_path),
        ]
    )
    assert banner.level is NoticeLevel.WARNING
    assert banner.label.text() == "Opened read-only.\n\nWritten by a newer version."


def test_banner_close(qtbot, window):
    banner = NoticeBanner(window)
    banner.show_message("Something to read.")
    with qtbot.waitSignal(banner.dismissed, timeout=2000):
        banner._close_button.click()
    assert not banner.isVisible()


def test_banner_ignores_no_notices(qtbot, window):
    banner = NoticeBanner(window)
    banner.show_notices([])
    assert not banner.isVisible()


# Exports.


def test_write_export_puts_body_beside(qtbot, qloop, tmp_path):
    path = tmp_path / "delivery-3.sh"
    files = [BodyFile("delivery-3-body.bin", b"\x00\x01binary")]
    written = run_in_loop(qtbot, write_export(path, "curl ...\n", files))
    assert written == [path, tmp_path / "delivery-3-body.bin"]
    assert path.read_text() == "curl ...\n"
    assert (tmp_path / "delivery-3-body.bin").read_bytes() == b"\x00\x01binary"


@pytest.fixture(scope="module")
def server():
    with RawServer(status_from_path) as running:
        yield running


def record_one(qtbot, controller, webhook, *, saved: bool = True) -> int:
    webhook_id = run_in_loop(qtbot, controller.save(webhook)) if saved else None
    result = send_all(qtbot, [webhook])[0]
    controller.record_delivery(
        result,
        webhook_id,
        webhook.name,
        webhook.topic_key,
        secret_query_parameters=webhook.secret_query_parameters,
    )
    run_in_loop(qtbot, controller.flush_history())
    return run_in_loop(qtbot, controller.history())[0].id


def test_export_curl_runs_from_file(qtbot, window, controller, server, tmp_path):
    webhook = webhook_for(server.url, 200, body="binary \x01 body")
    entry_id = record_one(qtbot, controller, webhook)
    writer = ExportWriter(controller, window)
    path = tmp_path / "out.sh"
    with qtbot.waitSignal(writer.finished, timeout=5000) as blocker:
        written = run_in_loop(
            qtbot, writer.export_entry_to(entry_id, ExportKind.CURL, path)
        )
    command = path.read_text()
    body_file = tmp_path / "out-body.bin"
    assert written == [path, body_file]
    assert body_file.read_bytes() == b"binary \x01 body"
    assert f"--data-binary '@{body_file}'" in command
    assert f"carol:{MASK}" in command
    assert PASSWORD not in command
    assert "because" not in blocker.args[0]
    assert blocker.args[0].startswith(f"Saved delivery {entry_id} to {path}.")


def test_export_har_is_json(qtbot, window, controller, server, tmp_path):
    entry_id = record_one(qtbot, controller, webhook_for(server.url, 404))
    writer = ExportWriter(controller, window)
    path = tmp_path / "delivery.har"
    run_in_loop(qtbot, writer.export_entry_to(entry_id, ExportKind.HAR, path))
    document = json.loads(path.read_text())
    assert document["log"]["entries"][0]["response"]["status"] == 404


def test_export_text_and_powershell(qtbot, window, controller, server, tmp_path):
    entry_id = record_one(qtbot, controller, webhook_for(server.url, 500))
    writer = ExportWriter(controller, window)
    report = tmp_path / "report.txt"
    script = tmp_path / "send.ps1"
    run_in_loop(qtbot, writer.export_entry_to(entry_id, ExportKind.TEXT, report))
    run_in_loop(qtbot, writer.export_entry_to(entry_id, ExportKind.POWERSHELL, script))
    assert "500" in report.read_text()
    assert script.read_text().startswith("$headers")
    assert PASSWORD not in script.read_text()


def test_export_unknown_entry_fails(qtbot, window, controller, tmp_path):
    writer = ExportWriter(controller, window)
    with qtbot.waitSignal(writer.failed, timeout=5000) as blocker:
        written = run_in_loop(
            qtbot, writer.export_entry_to(999, ExportKind.CURL, tmp_path / "x.sh")
        )
    assert written == []
    assert blocker.args[0].startswith("Could not export delivery 999: no delivery")


def test_export_unwritable_folder_fails(qtbot, window, controller, server, tmp_path):
    entry_id = record_one(qtbot, controller, webhook_for(server.url, 200))
    writer = ExportWriter(controller, window)
    path = tmp_path / "missing-folder" / "out.txt"
    with qtbot.waitSignal(writer.failed, timeout=5000) as blocker:
        run_in_loop(qtbot, writer.export_entry_to(entry_id, ExportKind.TEXT, path))
    assert blocker.args[0].startswith(f"Could not write {path}:")
    assert blocker.args[0].endswith("Choose another folder.")


def test_export_definitions(qtbot, window, controller, tmp_path):
    run_in_loop(qtbot, controller.save(webhook_for("http://127.0.0.1:9/hook")))
    writer = ExportWriter(controller, window)
    path = tmp_path / "webhooks.json"
    assert run_in_loop(qtbot, writer.export_definitions_to(path))
    text = path.read_text()
    document = json.loads(text)
    assert [item["webhook"]["name"] for item in document["webhooks"]] == ["Orders"]
    assert PASSWORD not in text


def test_exported_curl_sends(qtbot, window, controller, server, tmp_path):
    """The exported command, run by curl, reaches the same local server."""
    curl = subprocess.run(["which", "curl"], capture_output=True, text=True)
    if curl.returncode != 0:
        pytest.skip("curl is not installed")
    entry_id = record_one(qtbot, controller, webhook_for(server.url, 201))
    writer = ExportWriter(controller, window)
    path = tmp_path / "send.sh"
    run_in_loop(qtbot, writer.export_entry_to(entry_id, ExportKind.CURL, path))
    before = len(server.requests)
    completed = subprocess.run(
        ["sh", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert completed.returncode == 0
    assert len(server.requests) == before + 1
    assert server.requests[-1].body == b'{"order": 1}'


# Imports.


def definitions_file(tmp_path, names):
    definitions = [
        WebhookDefinition(Webhook(name=name, url="receiver:/webhook")) for name in names
    ]
    path = tmp_path / "webhooks.json"
    path.write_text(definitions_to_json(definitions))
    return path


def test_import_definitions(qtbot, window, controller, tmp_path):
    run_in_loop(qtbot, controller.save(Webhook(name="Alpha")))
    flow = ImportFlow(controller, window)
    path = definitions_file(tmp_path, ["Alpha", "Beta"])
    with qtbot.waitSignal(controller.webhooks_changed, timeout=5000):
        report = run_in_loop(qtbot, flow.import_path(path))
    box = flow.summary_box
    summary_text = box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    names = [item.name for item in run_in_loop(qtbot, controller.list_webhooks())]

    assert [item.name for item in report.imported] == ["Alpha (2)", "Beta"]
    assert summary_text.splitlines() == [
        "Imported 2 webhooks:",
        "• Alpha (saved as Alpha (2), because the name was taken)",
        "• Beta",
    ]
    assert names == ["Alpha", "Alpha (2)", "Beta"]


def test_import_curl_command(qtbot, window, controller, tmp_path):
    path = tmp_path / "command.sh"
    path.write_text(
        "curl -X POST 'http://127.0.0.1:9/hook' -H 'Content-Type: application/json' "
        "--data-binary '{\"id\": 1}'\n"
    )
    flow = ImportFlow(controller, window)
    report = run_in_loop(qtbot, flow.import_path(path))
    flow.summary_box.button(QMessageBox.StandardButton.Ok).click()
    saved = run_in_loop(qtbot, controller.list_webhooks())
    assert len(report.imported) == 1
    assert [summary.url for summary in saved] == ["http://127.0.0.1:9/hook"]


def test_import_bad_file_fails(qtbot, window, controller, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    flow = ImportFlow(controller, window)
    with qtbot.waitSignal(flow.failed, timeout=5000) as blocker:
        report = run_in_loop(qtbot, flow.import_path(path))
    box = flow.summary_box
    title = box.windowTitle()
    box.button(QMessageBox.StandardButton.Ok).click()
    assert report is None
    assert title == "Import failed"
    assert blocker.args[0].startswith(f"Could not import {path}: the file contains")


def test_import_summary_no_webhooks():
    from bchook_studio.core.export.importing import ImportKind, ImportReport

    report = ImportReport(ImportKind.DEFINITIONS, (), ("a warning",))
    assert import_summary(report).splitlines() == [
        "The file contains no webhooks, so nothing was imported.",
        "",
        "Note: a warning",
    ]


def test_import_summary_of_many_lists_some():
    from bchook_studio.core.export.definitions import ImportedWebhook
    from bchook_studio.core.export.importing import ImportKind, ImportReport

    imported = tuple(
        ImportedWebhook(number, f"Hook {number}", f"Hook {number}")
        for number in range(300)
    )
    lines = import_summary(ImportReport(ImportKind.DEFINITIONS, imported)).splitlines()

    assert lines[0] == "Imported 300 webhooks:"
    assert lines[1:3] == ["• Hook 0", "• Hook 1"]
    assert lines[-1] == "• and 285 more, listed under Saved webhooks"
    assert len(lines) == 17
