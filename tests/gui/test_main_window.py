"""The main window driven as a user would, against real servers on 127.0.0.1."""

import dataclasses
import json
import time

import pytest
from lxml import etree
from PySide6.QtCore import QMimeData, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.store import HistoryFilter, Store
from bchook_studio.core.templates import default_template
from bchook_studio.core.webhook import BodyMode, HeaderRow, Webhook
from bchook_studio.gui.error_reporter import error_reporter
from bchook_studio.gui.main_window import MainWindow
from bchook_studio.gui.webhook_list_model import WEBHOOK_ID_ROLE
from bchook_studio.gui.webhook_session import OpenedWebhook
from tests.gui.conftest import run_in_loop
from tests.servers import RawServer, never_answer, respond, respond_after


@pytest.fixture
def window(qtbot, qloop, app_home, thread_executor):
    settings = QSettings(str(app_home / "window.ini"), QSettings.Format.IniFormat)
    main_window = MainWindow(settings, receiver_port=0)
    main_window.ask_before_discarding = False
    # Not qtbot.addWidget: pytest-qt would delete the window before this fixture
    # finishes its orderly shutdown below.
    main_window.show()
    qtbot.waitExposed(main_window)
    qtbot.waitUntil(lambda: main_window.receiver.base_url is not None, timeout=5000)
    yield main_window
    if not main_window._closed:
        main_window.close()
        qtbot.waitUntil(lambda: main_window._closed, timeout=10_000)
    main_window.deleteLater()


def choose_topic(window, title: str) -> None:
    combo = window.form.topic_combo
    combo.setCurrentIndex(combo.findText(title))


def send_and_wait(qtbot, window, timeout_ms: int = 10_000):
    with qtbot.waitSignal(window.controller.finished, timeout=timeout_ms) as blocker:
        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_course_created_xml_basic_auth(qtbot, window):
    answer = respond(
        "200 OK", b'{"received": true}', {"Content-Type": "application/json"}
    )
    with RawServer(answer) as server:
        choose_topic(window, "Course Created")
        window.form.xml_button.click()
        window.form.auth_combo.setCurrentIndex(1)
        qtbot.keyClicks(window.form.username_edit, "user")
        window.form.password_edit.setText("pässwörd")  # keyClicks takes ASCII only
        window.form.url_edit.setText(server.url)
        result = send_and_wait(qtbot, window)

    received = server.requests[0]
    document = etree.fromstring(received.body)
    assert result.ok
    assert received.headers["content-type"] == "application/xml"
    assert received.headers["authorization"] == "Basic dXNlcjpww6Rzc3fDtnJk"
    assert document.tag == "webhook"
    assert document.findtext("resource") == "course"
    assert window.response_pane.status_label.text() == "200"
    assert '"received": true' in window.response_pane.body_view.toPlainText()
    assert "Basic ********" in window.response_pane.request_view.toPlainText()


def test_topic_choice_replaces_body_undoably(qtbot, window):
    editor = window.designer.body_editor
    window.topic_list.filter_box.setText("sale")
    assert window.topic_list.visible_topic_keys() == ["sale.new"]

    choose_topic(window, "New Sale")
    assert '"resource": "purchase"' in editor.toPlainText()

    editor.undo()
    assert '"resource": "purchase"' not in editor.toPlainText()


def test_format_switch_converts_and_back(qtbot, window):
    editor = window.designer.body_editor
    choose_topic(window, "New Sale")
    original = editor.toPlainText()

    window.form.xml_button.click()
    assert editor.toPlainText().startswith("<?xml")
    window.form.json_button.click()

    assert editor.toPlainText() == original


@pytest.mark.parametrize(("answer", "kept"), [("Keep JSON", True), ("Replace", False)])
def test_format_switch_of_malformed_body_asks(qtbot, window, answer, kept):
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText('{"a": }')

    window.form.xml_button.click()
    answer_question(qtbot, window, answer)

    expected = BodyFormat.JSON if kept else BodyFormat.XML
    qtbot.waitUntil(lambda: window.form.body_format() is expected, timeout=3000)
    qtbot.waitUntil(lambda: window.designer.body_format() is expected, timeout=3000)
    assert (editor.toPlainText() == '{"a": }') is kept


def test_format_switch_of_repeated_key_asks(qtbot, window):
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText('{"email": "a", "email": "b"}')

    window.form.xml_button.click()
    box = question_shown(qtbot, window)
    question = box.text()
    answer_question(qtbot, window, "Keep JSON")

    assert "appears twice" in question
    qtbot.waitUntil(lambda: window.form.body_format() is BodyFormat.JSON, timeout=3000)
    assert editor.toPlainText() == '{"email": "a", "email": "b"}'


def test_malformed_body_marked(qtbot, window):
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText('{\n  "a": 1\n  "b": 2\n}\n')
    qtbot.waitUntil(lambda: bool(editor.problems()), timeout=5000)

    problem = editor.problems()[0]
    assert problem.line == 3
    assert editor.problem_at_line(3)


def test_deep_body_sent_without_asking(qtbot, window):
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText("[" * 1000 + "]" * 1000)
    with RawServer(respond("200 OK", b"")) as server:
        window.form.url_edit.setText(server.url)
        result = send_and_wait(qtbot, window)

    assert result.response.status == 200
    assert server.requests[0].body == b"[" * 1000 + b"]" * 1000


def type_body(window, text: str) -> None:
    """Replace the body editor's text as typing over a selection does."""
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText(text)


def test_malformed_body_sent_after_asking(qtbot, window):
    type_body(window, '{"a": }')
    with RawServer(respond("200 OK", b"")) as server:
        window.form.url_edit.setText(server.url)
        with qtbot.waitSignal(window.controller.finished, timeout=10_000) as sent:
            qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
            answer_question(qtbot, window, "Send anyway")

    assert sent.args[0].response.status == 200
    assert server.requests[0].body == b'{"a": }'


def test_malformed_body_not_sent_on_cancel(qtbot, window):
    type_body(window, '{"a": }')
    with RawServer(respond("200 OK", b"")) as server:
        window.form.url_edit.setText(server.url)
        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        box = question_shown(qtbot, window)
        informative = box.informativeText()
        answer_question(qtbot, window, "Cancel")
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)
        qtbot.wait(200)

    assert "application/json" in informative
    assert server.requests == []
    assert not window.controller.is_busy()


def test_server_error_shown_with_status(qtbot, window):
    with RawServer(respond("500 Internal Server Error", b"boom")) as server:
        window.form.url_edit.setText(server.url)
        result = send_and_wait(qtbot, window)

    assert result.response.status == 500
    assert window.response_pane.status_label.text() == "500"
    assert "Internal Server Error" in window.response_pane.summary_label.text()


def _cut_body(conn, _request) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"ok": tr'
    )
    conn.close()


def test_cut_body_named_in_badge_and_status(qtbot, window):
    with RawServer(_cut_body) as server:
        window.form.url_edit.setText(server.url)
        result = send_and_wait(qtbot, window)

    assert result.failure is not None
    kind = result.failure.kind.value.replace("_", " ")
    assert window.response_pane.status_label.text() == f"200 · {kind}"
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Last delivery: 200 OK, then {kind}, in ")


def test_refused_shown_in_plain_words(qtbot, window):
    window.form.url_edit.setText("http://127.0.0.1:9/hook")
    result = send_and_wait(qtbot, window)

    assert result.failure.kind.value == "refused"
    assert window.response_pane.showing_message()
    assert "refused the connection" in window.response_pane.message_label.text()
    assert window._send_button.isEnabled()


def test_empty_ca_bundle_fails_send_with_file_named(qtbot, window, tmp_path):
    empty = tmp_path / "empty-ca.pem"
    empty.write_bytes(b"")
    webhook = window.current_webhook()
    tls = dataclasses.replace(webhook.tls, ca_bundle=str(empty))
    window.session.show(
        OpenedWebhook(dataclasses.replace(webhook, tls=tls), None, None)
    )
    window.form.url_edit.setText("https://127.0.0.1:9/hook")

    result = send_and_wait(qtbot, window)

    assert result.failure.kind.value == "tls"
    assert "empty-ca.pem is empty" in window.response_pane.message_label.text()
    assert window._send_button.isEnabled()
    assert not window._cancel_button.isEnabled()


def test_delivery_that_raises_ends_as_failure(qtbot, window, monkeypatch):
    from bchook_studio.core.delivery import handle

    async def raise_instead(*_arguments):
        raise ValueError("Empty certificate data")

    monkeypatch.setattr(handle, "_deliver", raise_instead)
    window.form.url_edit.setText("http://127.0.0.1:9/hook")

    result = send_and_wait(qtbot, window)

    assert result.failure.kind.value == "invalid_request"
    assert "ValueError: Empty certificate data" in result.failure.message
    assert window._send_button.isEnabled()
    assert not window._cancel_button.isEnabled()


def test_empty_password_asked_before_send(qtbot, window):
    webhook = dataclasses.replace(
        window.current_webhook(),
        auth_enabled=True,
        username="bob",
        headers=(HeaderRow("X-Secret", "", secret=True),),
    )
    window.session.show(OpenedWebhook(webhook, None, None))
    with RawServer(respond("200 OK", b"")) as server:
        window.form.url_edit.setText(server.url)

        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        box = question_shown(qtbot, window)
        text = box.text()
        answer_question(qtbot, window, "Cancel")
        qtbot.wait(200)
        cancelled_requests = len(server.requests)

        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(window.controller.finished, timeout=10_000):
            answer_question(qtbot, window, "Send anyway")

        with qtbot.waitSignal(window.controller.finished, timeout=10_000):
            qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)

    assert text == "These secrets are empty: the password, the value of X-Secret."
    assert cancelled_requests == 0
    assert len(server.requests) == 2


def test_failure_kind_shown_as_words(qtbot, window):
    window.form.url_edit.setText("http://127.0.0.1:9/a b")

    result = send_and_wait(qtbot, window)

    assert result.failure.kind.value == "invalid_url"
    assert window.statusBar().currentMessage() == "Last delivery: invalid url"
    assert window.response_pane.summary_label.text().startswith("invalid url · ")


def test_cancel_shows_cancelled(qtbot, window):
    with RawServer(never_answer) as server:
        window.form.url_edit.setText(server.url)
        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window._cancel_button.isEnabled(), timeout=3000)
        with qtbot.waitSignal(window.controller.finished, timeout=5000) as blocker:
            qtbot.mouseClick(window._cancel_button, Qt.MouseButton.LeftButton)

    assert blocker.args[0].cancelled
    assert window.response_pane.status_label.text() == "Cancelled"
    assert not window._cancel_button.isEnabled()


def test_new_send_cancels_pending(qtbot, window):
    with RawServer(never_answer) as slow, RawServer(respond("200 OK", b"")) as fast:
        window.form.url_edit.setText(slow.url)
        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.controller.is_busy, timeout=5000)
        window.form.url_edit.setText(fast.url)
        results = []
        window.controller.finished.connect(results.append)
        qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)

    assert results[0].cancelled
    assert results[1].ok
    assert window.response_pane.status_label.text() == "200"


def test_loop_stays_responsive_during_slow_answer(qtbot, window):
    gaps = []
    last = [time.monotonic()]

    def beat():
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    with RawServer(respond_after(1.5)) as server:
        window.form.url_edit.setText(server.url)
        heartbeat.start()
        result = send_and_wait(qtbot, window)
        heartbeat.stop()

    assert result.ok
    assert len(gaps) > 50
    assert max(gaps[1:]) < 0.5


def test_modal_dialog_during_send(qtbot, window):
    def open_and_close_dialog():
        QTimer.singleShot(400, lambda: QApplication.activeModalWidget().accept())
        QMessageBox.information(window, "Busy", "A modal dialog during a send")

    with RawServer(respond_after(0.6)) as server:
        window.form.url_edit.setText(server.url)
        with qtbot.waitSignal(window.controller.finished, timeout=10_000) as blocker:
            qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
            QTimer.singleShot(100, open_and_close_dialog)

    assert blocker.args[0].ok


def test_check_run_takes_edited_url(qtbot, window):
    first = RawServer(respond("200 OK", b""))
    second = RawServer(respond("200 OK", b""))
    with first, second:
        window.form.url_edit.setText(first.url)
        window._check_button.click()
        window.form.url_edit.setText(second.url)
        view = window.check_view
        with qtbot.waitSignal(view.run_finished, timeout=30_000):
            view._run_button.click()

    assert first.requests == []
    assert len(second.requests) == 24


def test_check_results_name_history_entries(qtbot, window):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    with RawServer(respond("200 OK", b"")) as server:
        window.form.url_edit.setText(server.url)
        window._check_button.click()
        view = window.check_view
        with qtbot.waitSignal(view.run_finished, timeout=30_000):
            view._run_button.click()

    entries = run_in_loop(qtbot, window.store.history(HistoryFilter()))
    ids = {result.history_id for result in view.last_result.results}
    assert len(entries) == 24
    assert ids == {entry.id for entry in entries}


def test_check_run_with_stopped_receiver(qtbot, window):
    window.form.url_edit.setText("receiver:/webhook")
    window._check_button.click()
    run_in_loop(qtbot, window.receiver.stop())

    window.check_view._run_button.click()

    assert not window.check_view.is_running()
    assert "receiver" in window.check_view._message.text().lower()


def test_failed_export_shown_in_dialog(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    path = tmp_path / "missing" / "webhooks.json"

    exported = run_in_loop(qtbot, window.export_writer.export_definitions_to(path))
    box = question_shown(qtbot, window)

    assert not exported
    assert box.windowTitle() == "Export failed"
    assert str(path) in box.text()
    box.close()


def test_title_names_app_and_webhook(qtbot, window):
    window.form.name_edit.clear()
    qtbot.keyClicks(window.form.name_edit, "CRM sync")

    # Qt shows [*] as the unsaved marker, or nothing when there are no changes.
    assert window.windowTitle() == "BrainCert Hook Studio — CRM sync[*]"


def test_close_saves_last_topic(qtbot, window, app_home):
    choose_topic(window, "Test Completed")
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=5000)

    settings = QSettings(str(app_home / "window.ini"), QSettings.Format.IniFormat)
    assert settings.value("last_topic") == "test.completed"
    assert settings.value("window/geometry") is not None


def test_closing_says_so_and_stops_sends(qtbot, window):
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=5000)

    assert window.statusBar().currentMessage() == (
        "Closing: stopping the receiver and writing the history…"
    )
    assert not window._send_button.isEnabled()
    assert not window.send_action.isEnabled()
    assert not window.check_action.isEnabled()


def test_password_show_toggle(qtbot, window):
    window.form.auth_combo.setCurrentIndex(1)
    window.form.show_password_action.setChecked(True)

    assert (
        window.form.password_edit.echoMode()
        == window.form.password_edit.EchoMode.Normal
    )


def test_body_format_of_new_window(window):
    assert window.current_webhook().body_format is BodyFormat.JSON


def test_new_webhook_targets_receiver(qtbot, window):
    result = send_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: window.inbox.model.rowCount() == 1, timeout=5000)

    received = window.receiver.requests()[0]
    assert window.form.url_edit.text() == "receiver:/webhook"
    assert result.ok
    assert received.path == "/webhook"
    assert received.body == result.request.body
    assert received.header("content-type") == "application/json"


def test_delivery_recorded_in_history(qtbot, window):
    send_and_wait(qtbot, window)
    run_in_loop(qtbot, window.store.flush_history())

    entries = run_in_loop(qtbot, window.store.history(HistoryFilter()))
    assert len(entries) == 1
    assert entries[0].topic_key == "user.created"


def test_save_and_reopen_webhook(qtbot, window):
    window.form.name_edit.setText("CRM sync")
    window.form.name_edit.textEdited.emit("CRM sync")
    choose_topic(window, "Course Completed")
    window.save_action.trigger()
    qtbot.waitUntil(lambda: window.session.open_id is not None, timeout=5000)
    qtbot.waitUntil(lambda: not window.session.dirty, timeout=5000)

    saved = run_in_loop(qtbot, window.store.load(window.session.open_id))
    assert saved.webhook.name == "CRM sync"
    assert saved.webhook.topic_key == "course.completed"
    assert not window.isWindowModified()


def test_edit_marks_window_modified(qtbot, window):
    window.form.name_edit.setText("Changed")
    window.form.name_edit.textEdited.emit("Changed")

    qtbot.waitUntil(window.isWindowModified, timeout=3000)
    assert window.session.dirty


def send_template_and_wait_not_sent(qtbot, window, template: str) -> str:
    """Type `template` in Template mode, press Send Test and return the message."""
    window.designer.set_body_mode(BodyMode.TEMPLATE)
    editor = window.designer.body_editor
    editor.selectAll()
    editor.insertPlainText(template)
    qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.response_pane.status_label.text() == "Not sent", timeout=10_000
    )
    return window.response_pane.message_label.text()


def test_template_failure_not_sent(qtbot, window):
    message = send_template_and_wait_not_sent(
        qtbot, window, '{"a": "{{ payload.nope }}"}\n'
    )

    assert "nope" in message
    assert window.receiver.requests() == []


def test_template_syntax_error_names_line(qtbot, window):
    message = send_template_and_wait_not_sent(qtbot, window, '{\n"a": {{ }}\n}\n')

    assert message.startswith("The body could not be rendered (line 2")


def test_unhandled_error_shown_as_notice(qtbot, window):
    error_reporter().report(ValueError, ValueError("boom in a slot"))

    assert window.banner.isVisible()
    assert "boom in a slot" in window.banner.label.text()


def test_error_notice_single_full_stop(qtbot, window):
    error_reporter().report(ValueError, ValueError("unknown topic 'x'. See topics."))

    assert "See topics. The app keeps running" in window.banner.label.text()


def test_failed_window_task_shown_as_notice(qtbot, window):
    async def fail() -> None:
        raise RuntimeError("boom in a task")

    window._run(fail())

    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    assert "boom in a task" in window.banner.label.text()


def edit_name(window, name: str) -> None:
    window.form.name_edit.setText(name)
    window.form.name_edit.textEdited.emit(name)


def save_and_wait(qtbot, window) -> int:
    with qtbot.waitSignal(window.session.saved, timeout=5000) as blocker:
        window.save_action.trigger()
    return blocker.args[0]


def listed_ids(window) -> list[int | None]:
    model = window.webhooks_panel._list.model()
    return [
        model.index(row, 0).data(WEBHOOK_ID_ROLE) for row in range(model.rowCount())
    ]


@pytest.mark.parametrize(
    ("webhook", "rules", "reason"),
    [
        (Webhook(name="Lost topic", topic_key="nosuch"), None, "Unknown topic"),
        (Webhook(name="Bad rule"), [{"status": 9999}], "Invalid status 9999"),
    ],
)
def test_unopenable_webhook_leaves_form_alone(qtbot, window, webhook, rules, reason):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    bad_id = run_in_loop(qtbot, window.store.save(webhook, None, rules))
    body_before = window.designer.body_text()
    name_before = window.form.name_edit.text()

    window._on_webhook_chosen(bad_id)
    box = question_shown(qtbot, window)
    message = box.text()
    box.close()

    assert reason in message
    assert window.form.name_edit.text() == name_before
    assert window.designer.body_text() == body_before
    assert window.session.open_id != bad_id


def test_long_body_line_warned_on_open(qtbot, window):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    body = '{"blob": "' + "x" * 600_000 + '"}'
    webhook_id = run_in_loop(qtbot, window.store.save(Webhook(name="Wide", body=body)))

    window._on_webhook_chosen(webhook_id)
    qtbot.waitUntil(lambda: window.session.open_id == webhook_id, timeout=10_000)

    assert window.banner.isVisible()
    assert "a line of 600,012 characters" in window.banner.label.text()


def test_paragraph_separator_warned_on_open(qtbot, window):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    body = '{"note": "one\u2029two\u2029three"}'
    webhook_id = run_in_loop(qtbot, window.store.save(Webhook(name="Para", body=body)))

    window._on_webhook_chosen(webhook_id)
    qtbot.waitUntil(lambda: window.session.open_id == webhook_id, timeout=10_000)

    assert window.banner.isVisible()
    assert "2 paragraph separator characters" in window.banner.label.text()
    assert window.designer.body_text() == '{"note": "one\ntwo\nthree"}'


def test_paragraph_separator_warned_on_paste(qtbot, window):
    editor = window.designer.body_editor
    mime = QMimeData()
    mime.setText("a\u2029b")

    editor.insertFromMimeData(mime)

    assert window.banner.isVisible()
    assert "a paragraph separator character (U+2029)" in window.banner.label.text()


def test_use_as_event_keeps_paragraph_separator(qtbot, window):
    event = {"resource": "user", "action": "signup", "note": "a\u2029b"}

    window._on_use_as_event("user.created", json.dumps(event, ensure_ascii=False))

    assert "\\u2029" in window.designer.event_editor.toPlainText()
    assert window.designer.event_data()["note"] == "a\u2029b"
    assert not window.banner.isVisible()


def test_use_as_event_keeps_typed_raw_body(qtbot, window):
    typed = '{"typed": "by hand"}'
    window.designer.body_editor.setPlainText(typed)
    event = {"resource": "course_completion", "action": "completed", "id": 7}

    window._on_use_as_event("course.completed", json.dumps(event))

    assert window.designer.body_mode() is BodyMode.TEMPLATE
    assert window.designer.body_text() == typed
    assert window.designer.event_data() == event
    window.designer.event_editor.undo()
    assert window.designer.event_data()["id"] != 7


def test_use_as_event_turns_example_body_into_template(qtbot, window):
    event = {"resource": "course_completion", "action": "completed", "id": 7}

    window._on_use_as_event("course.completed", json.dumps(event))

    assert window.designer.body_mode() is BodyMode.TEMPLATE
    assert window.designer.body_text() == default_template(BodyFormat.JSON)
    assert window.designer.event_data() == event


def test_first_save_replaces_draft_row(qtbot, window):
    edit_name(window, "CRM sync")
    qtbot.waitUntil(lambda: None in listed_ids(window), timeout=3000)
    webhook_id = save_and_wait(qtbot, window)

    qtbot.waitUntil(lambda: listed_ids(window) == [webhook_id], timeout=5000)
    assert window.webhooks_panel.current_webhook_id() == webhook_id


def test_second_new_webhook_stays_open(qtbot, window):
    edit_name(window, "Alpha")
    alpha_id = save_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: listed_ids(window) == [alpha_id], timeout=5000)
    window.new_action.trigger()
    qtbot.waitUntil(lambda: window.session.open_id is None, timeout=3000)
    edit_name(window, "Beta")
    qtbot.waitUntil(lambda: None in listed_ids(window), timeout=3000)

    beta_id = save_and_wait(qtbot, window)
    both = {alpha_id, beta_id}
    qtbot.waitUntil(lambda: set(listed_ids(window)) == both, timeout=5000)
    qtbot.wait(200)

    assert window.session.open_id == beta_id
    assert window.form.name_edit.text() == "Beta"
    assert window.webhooks_panel.current_webhook_id() == beta_id


def test_undo_delete_reattaches_open_webhook(qtbot, window):
    edit_name(window, "Beta")
    webhook_id = save_and_wait(qtbot, window)
    run_in_loop(qtbot, window.binding.delete(webhook_id))
    qtbot.waitUntil(lambda: window.session.dirty, timeout=3000)

    restored = run_in_loop(qtbot, window.binding.undo_delete())

    qtbot.waitUntil(lambda: listed_ids(window) == [webhook_id], timeout=5000)
    assert restored == webhook_id
    assert window.session.open_id == webhook_id
    assert not window.session.dirty
    assert window.webhooks_panel.current_webhook_id() == webhook_id


def test_rename_of_open_webhook_kept_on_next_save(qtbot, window):
    edit_name(window, "CRM sync")
    webhook_id = save_and_wait(qtbot, window)
    renamed = run_in_loop(qtbot, window.binding.rename(webhook_id, "Billing sync"))

    assert renamed
    assert window.form.name_edit.text() == "Billing sync"
    assert not window.session.dirty
    assert "Billing sync" in window.windowTitle()

    save_and_wait(qtbot, window)
    saved = run_in_loop(qtbot, window.store.load(webhook_id))
    assert saved.webhook.name == "Billing sync"


def test_rename_keeps_unsaved_typed_name(qtbot, window):
    edit_name(window, "Alpha")
    webhook_id = save_and_wait(qtbot, window)
    edit_name(window, "Alpha edited")

    renamed = run_in_loop(qtbot, window.binding.rename(webhook_id, "Zeta"))

    assert renamed
    assert window.form.name_edit.text() == "Alpha edited"
    assert window.session.dirty
    saved = run_in_loop(qtbot, window.store.load(webhook_id))
    assert saved.webhook.name == "Zeta"


def test_resend_without_masked_value_explained(qtbot, window):
    window.form.url_edit.setText("http://127.0.0.1:9/hook?api_key=abc")
    send_and_wait(qtbot, window)
    run_in_loop(qtbot, window.store.flush_history())
    entry = run_in_loop(qtbot, window.store.history(HistoryFilter()))[0]

    run_in_loop(qtbot, window._resend_history_entry(entry.id))

    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1
    assert "not sent from a saved webhook" in boxes[0].text()


def question_shown(qtbot, window) -> QMessageBox:
    def shown():
        boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
        assert len(boxes) == 1
        return boxes[0]

    qtbot.waitUntil(lambda: shown() is not None, timeout=3000)
    return shown()


def answer_question(qtbot, window, label: str) -> None:
    box = question_shown(qtbot, window)
    button = next(button for button in box.buttons() if button.text() == label)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_close_with_edits_cancelled_keeps_window(qtbot, window):
    window.ask_before_discarding = True
    edit_name(window, "CRM sync")
    qtbot.waitUntil(lambda: window.session.dirty, timeout=3000)

    window.close()
    answer_question(qtbot, window, "Cancel")

    qtbot.waitUntil(lambda: not window._shutdown_started, timeout=3000)
    window.ask_before_discarding = False
    assert window.isVisible()
    assert window.form.name_edit.text() == "CRM sync"


def test_close_question_shows_controls_as_marks(qtbot, window):
    window.ask_before_discarding = True
    edit_name(window, "Gamma\u202eevil")
    qtbot.waitUntil(lambda: window.session.dirty, timeout=3000)

    window.close()
    text = question_shown(qtbot, window).text()
    answer_question(qtbot, window, "Cancel")
    qtbot.waitUntil(lambda: not window._shutdown_started, timeout=3000)
    window.ask_before_discarding = False

    assert "\u202e" not in text
    assert "Gamma\\u202eevil" in text
    assert "\u202e" not in window.windowTitle()


def test_second_stop_signal_closes_without_asking(qtbot, window):
    window.ask_before_discarding = True
    edit_name(window, "CRM sync")
    qtbot.waitUntil(lambda: window.session.dirty, timeout=3000)

    window.close_on_signal()
    question_shown(qtbot, window)
    window.close_on_signal()

    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    assert not window.isVisible()
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_discarded_edits_leave_no_unsaved_mark(qtbot, window):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    edit_name(window, "Alpha")
    alpha_id = save_and_wait(qtbot, window)
    window.form.url_edit.setText("http://127.0.0.1:9/changed")
    marked = window.webhooks_panel._model.is_unsaved
    qtbot.waitUntil(lambda: marked(alpha_id), timeout=3000)

    window.new_action.trigger()
    answer_question(qtbot, window, "Discard")

    qtbot.waitUntil(lambda: window.session.open_id is None, timeout=3000)
    assert not marked(alpha_id)


def test_close_with_edits_saved_first(qtbot, window):
    window.ask_before_discarding = True
    edit_name(window, "CRM sync")
    qtbot.waitUntil(lambda: window.session.dirty, timeout=3000)

    window.close()
    answer_question(qtbot, window, "Save")

    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    store = Store.open(interactive=False)
    try:
        names = [summary.name for summary in store.list_webhooks()]
    finally:
        store.close()
    assert names == ["CRM sync"]


def test_view_menu_opens_receiver_rules(qtbot, window):
    titles = [action.text() for action in window._view_menu.actions()]

    window.receiver_rules_action.trigger()

    qtbot.waitUntil(lambda: window.inbox.rules_dialog() is not None, timeout=3000)
    assert "&Inbox" in titles
    assert "Receiver r&ules…" in titles
    window.inbox.rules_dialog().reject()


def test_edit_menu_built_on_first_open(qtbot, window):
    window.form.url_edit.setFocus()
    qtbot.waitUntil(window.form.url_edit.hasFocus, timeout=3000)
    before = window._edit_menu.actions()

    window._edit_menu.aboutToShow.emit()
    entries = {
        action.text().split("\t")[0]: action.isEnabled()
        for action in window._edit_menu.actions()
        if not action.isSeparator()
    }

    assert before == []
    assert window._edit_menu.title() == "&Edit"
    assert list(entries) == [
        "&Undo",
        "&Redo",
        "Cu&t",
        "&Copy",
        "&Paste",
        "Select &all",
    ]
    assert entries["&Paste"]


def webhook_menu_action(window, text: str):
    return next(a for a in window._webhook_menu.actions() if a.text() == text)


def test_webhook_menu_duplicates_and_deletes(qtbot, window):
    qtbot.waitUntil(lambda: window.store.is_open, timeout=5000)
    duplicate = webhook_menu_action(window, "&Duplicate")
    delete = webhook_menu_action(window, "De&lete")
    unsaved_duplicable = duplicate.isEnabled()
    edit_name(window, "Alpha")
    alpha_id = save_and_wait(qtbot, window)
    qtbot.waitUntil(duplicate.isEnabled, timeout=3000)

    duplicate.trigger()
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 2, timeout=5000)
    copy_ids = [entry for entry in listed_ids(window) if entry != alpha_id]
    window.webhooks_panel.select(alpha_id)
    delete.trigger()
    qtbot.waitUntil(lambda: alpha_id not in listed_ids(window), timeout=5000)

    assert not unsaved_duplicable
    # The open webhook stays in the list as unsaved (no id) after its delete.
    assert sorted(listed_ids(window), key=str) == sorted([None, *copy_ids], key=str)
    assert webhook_menu_action(window, "&Undo delete").isEnabled()
    assert webhook_menu_action(window, "Re&name").shortcut().isEmpty()


def test_session_only_password_warned_on_save(qtbot, window):
    edit_name(window, "Billing")
    window.form._auth.setCurrentIndex(1)
    window.form.password_edit.setText("p4ss")
    window.form.password_edit.textEdited.emit("p4ss")

    save_and_wait(qtbot, window)

    def warned() -> bool:
        bar = window.secrets_bar
        return bar is not None and "kept only until Hook Studio" in bar.label.text()

    qtbot.waitUntil(warned, timeout=5000)
    assert "password" in window.secrets_bar.label.text()
    # The warning leaves the banner for the store's notices.
    assert "kept only until" not in window.banner.label.text()


def test_send_lists_every_header_problem(qtbot, window):
    webhook = window.current_webhook().with_changes(
        headers=(
            HeaderRow(name="Host", value="evil"),
            HeaderRow(name="Bad Name", value="x"),
        )
    )
    window.form.set_webhook(webhook)

    qtbot.mouseClick(window._send_button, Qt.MouseButton.LeftButton)

    text = window.response_pane.message_label.text()
    assert window.response_pane.status_label.text() == "Not sent"
    assert "'Host'" in text
    assert "Bad Name" in text
    assert window.receiver.requests() == []


def tab_stops(window) -> list:
    """Return the widgets Tab visits, in order, starting after the window."""
    stops = []
    widget = window.nextInFocusChain()
    while widget is not window:
        if (
            widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisible()
            and widget.isEnabled()
        ):
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def test_tab_reaches_send_row_before_body(qtbot, window):
    window.show()
    qtbot.waitExposed(window)

    stops = tab_stops(window)
    send = stops.index(window._send_button)

    assert stops[send - 1] is window.form._connection_toggle
    assert stops[send + 1] is window._check_button
    assert stops[send + 2] is window.designer.raw_button
    assert window.form._scroll not in stops


def test_tab_order_with_connection_expanded(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.form._connection_toggle.click()

    stops = tab_stops(window)
    send = stops.index(window._send_button)

    toggle = stops.index(window.form._connection_toggle)
    timeout = stops.index(window.form._timeout)

    assert window.form.network.isAncestorOf(stops[send - 1])
    assert toggle < timeout < send
    assert stops[send + 2] is window.designer.raw_button


def test_tab_order_with_both_sections_expanded(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.form._headers_toggle.click()
    window.form._connection_toggle.click()

    stops = tab_stops(window)
    table = window.form.headers._table
    connection_toggle = stops.index(window.form._connection_toggle)

    assert connection_toggle < stops.index(table) < stops.index(window.form._timeout)
    assert stops.index(window.form._timeout) < stops.index(window._send_button)
    assert not table.tabKeyNavigation()


def test_missing_keychain_offers_the_choice_in_a_bar(qtbot, window, app_home):
    from PySide6.QtWidgets import QDialogButtonBox

    from bchook_studio.core.store.secrets import SecretStorePolicy
    from bchook_studio.gui.store_dialogs import SecretStorageDialog

    # The tests' keyring backend stores nothing, so there is no keychain.
    qtbot.waitUntil(lambda: window.secrets_bar is not None, timeout=5000)
    bar = window.secrets_bar
    assert bar.isVisible()
    assert "no system keychain" in bar.label.text()
    assert window.findChildren(SecretStorageDialog) == []

    bar.action_button.click()
    dialog = window.findChildren(SecretStorageDialog)[-1]
    qtbot.waitExposed(dialog)
    dialog.database_button.click()
    dialog._buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    with Store.open(app_home / "studio.sqlite3") as store:
        assert store.secrets.chosen_fallback is SecretStorePolicy.DATABASE


def test_closed_secrets_bar_leaves_the_menu_choice(qtbot, window):
    from bchook_studio.gui.store_dialogs import SecretStorageDialog

    qtbot.waitUntil(lambda: window.secrets_bar is not None, timeout=5000)
    window.secrets_bar._close_button.click()
    assert not window.secrets_bar.isVisible()

    window.secret_storage_action.trigger()

    dialog = window.findChildren(SecretStorageDialog)[-1]
    qtbot.waitExposed(dialog)
    dialog.reject()


def test_read_only_database_offers_no_secrets_choice(qtbot, qloop, app_home):
    import sqlite3

    with Store.open(app_home / "studio.sqlite3"):
        pass
    with sqlite3.connect(app_home / "studio.sqlite3") as connection:
        connection.execute("PRAGMA user_version = 999")
    settings = QSettings(str(app_home / "window.ini"), QSettings.Format.IniFormat)
    main_window = MainWindow(settings, receiver_port=0)
    main_window.ask_before_discarding = False
    main_window.show()
    try:
        qtbot.waitUntil(lambda: main_window.store.is_open, timeout=5000)
        qtbot.waitUntil(main_window.banner.isVisible, timeout=5000)

        assert main_window.store.read_only
        assert "read-only" in main_window.banner.label.text()
        assert main_window.secrets_bar is None
        assert not main_window.secret_storage_action.isEnabled()
    finally:
        main_window.close()
        qtbot.waitUntil(lambda: main_window._closed, timeout=10_000)
        main_window.deleteLater()


def test_opening_connection_keeps_loaded_settings(qtbot, window):
    from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
    from bchook_studio.core.delivery.redirects import RedirectSetting

    loaded = window.current_webhook().with_changes(
        proxy=ProxySetting(mode=ProxyMode.EXPLICIT, url=" http://127.0.0.1:9 "),
        redirects=RedirectSetting(follow=True, max_redirects=100),
    )
    window.session.show(OpenedWebhook(loaded, None, None))

    window.form._connection_toggle.click()
    window.session.check_dirty()

    assert window.form.webhook().proxy == loaded.proxy
    assert window.form.webhook().redirects.max_redirects == 100
    assert window.form.network._max_redirects.value() == 100
    assert not window.session.dirty

    window.form.network._proxy_url.setText("http://127.0.0.1:8 ")
    window.form.network._proxy_url.textEdited.emit("http://127.0.0.1:8 ")

    assert window.form.webhook().proxy.url == "http://127.0.0.1:8"
    assert window.form.webhook().redirects.max_redirects == 100
