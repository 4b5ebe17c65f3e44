"""The history panel over real deliveries recorded in a real database."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from bchook_studio.core.export.history_entries import ExportKind
from bchook_studio.core.export.masking import MASK
from bchook_studio.core.store import Store
from bchook_studio.core.store.history import HistorySummary
from bchook_studio.gui.history_model import (
    STATUS_COLOURS,
    Column,
    HistoryTableModel,
    status_text,
)
from bchook_studio.gui.history_panel import PAGE_SIZE, HistoryPanel
from tests.gui.conftest import run_in_loop
from tests.gui.store_support import (
    PASSWORD,
    close_controller,
    open_controller,
    refused_url,
    send_all,
    status_from_path,
    webhook_for,
)
from tests.servers import RawServer
from tests.store_fixtures import sample_result, use_keyring

COURSE_MARKER = "course-marker-7731"


@pytest.fixture(scope="module")
def server():
    with RawServer(status_from_path) as running:
        yield running


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
def recorded(qtbot, controller, server):
    """Save two webhooks, send six real deliveries and record them, oldest first."""
    orders = webhook_for(server.url, name="Orders", topic_key="sale.new")
    courses = webhook_for(
        server.url,
        name="Courses",
        topic_key="course.created",
        body=f'{{"note": "{COURSE_MARKER}"}}',
    )
    ids = {
        "Orders": run_in_loop(qtbot, controller.save(orders)),
        "Courses": run_in_loop(qtbot, controller.save(courses)),
    }
    plan = [
        (orders, 200),
        (courses, 201),
        (orders, 404),
        (courses, 302),
        (orders, 500),
    ]
    webhooks = [
        webhook_for(
            server.url, status, name=hook.name, topic_key=hook.topic_key, body=hook.body
        )
        for hook, status in plan
    ]
    webhooks.append(orders.with_changes(url=refused_url()))
    results = send_all(qtbot, webhooks)
    for webhook, result in zip(webhooks, results, strict=True):
        controller.record_delivery(
            result,
            ids[webhook.name],
            webhook.name,
            webhook.topic_key,
            secret_query_parameters=webhook.secret_query_parameters,
        )
    run_in_loop(qtbot, controller.flush_history())
    return ids


@pytest.fixture
def panel(qtbot, controller, recorded):
    # Not given to qtbot.addWidget: qtbot deletes its widgets before fixtures
    # end, and the panel's tasks must finish first.
    widget = HistoryPanel(controller)
    widget.resize(1100, 360)
    widget.set_webhooks(run_in_loop(qtbot, controller.list_webhooks()))
    widget.show()
    qtbot.waitExposed(widget)
    run_in_loop(qtbot, widget.reload())
    yield widget
    run_in_loop(qtbot, widget.aclose())
    widget.close()
    widget.deleteLater()


def column(panel: HistoryPanel, which: Column) -> list[str]:
    model = panel.model
    return [model.index(row, which).data() for row in range(model.rowCount())]


def choose(qtbot, panel: HistoryPanel, combo, data) -> None:
    position = combo.findData(data)
    assert position >= 0
    combo.setCurrentIndex(position)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)


def select_row(qtbot, panel: HistoryPanel, row: int) -> None:
    rect = panel.table.visualRect(panel.model.index(row, Column.URL))
    qtbot.mouseClick(
        panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )


# The model alone.


def test_model_fetch_more_asks_once(qapp):
    model = HistoryTableModel()
    requests = []
    model.more_requested.connect(lambda: requests.append(True))
    model.set_entries([], has_more=True)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert requests == [True]
    assert not model.canFetchMore(QModelIndex())


# The panel over recorded deliveries.


def test_lists_newest_first(qtbot, panel):
    statuses = column(panel, Column.STATUS)
    assert statuses == [
        "refused",
        "500 Error",
        "302 Found",
        "404 Not Found",
        "201 Created",
        "200 OK",
    ]


def test_lists_columns(qtbot, panel):
    assert column(panel, Column.WEBHOOK)[:2] == ["Orders", "Orders"]
    assert column(panel, Column.TOPIC)[0] == "New Sale"
    assert column(panel, Column.TOPIC)[2] == "Course Created"
    assert set(column(panel, Column.METHOD)) == {"POST"}
    assert column(panel, Column.ELAPSED)[1].endswith(" ms")
    assert panel.status_label.text() == "6 of 6 deliveries"


def test_url_masked(qtbot, panel):
    url = column(panel, Column.URL)[1]
    assert url.endswith(f"/500?token={MASK}")


def test_status_colours(qtbot, panel):
    model = panel.model
    colour = model.index(3, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole)
    failed = model.index(0, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == STATUS_COLOURS["4xx"]
    assert failed.name() == STATUS_COLOURS["failed"]


def test_filter_by_webhook(qtbot, panel, recorded):
    choose(qtbot, panel, panel.webhook_filter, recorded["Courses"])
    assert column(panel, Column.WEBHOOK) == ["Courses", "Courses"]


def test_filter_by_topic(qtbot, panel):
    choose(qtbot, panel, panel.topic_filter, "sale.new")
    assert len(column(panel, Column.TOPIC)) == 4
    assert set(column(panel, Column.TOPIC)) == {"New Sale"}


@pytest.mark.parametrize(
    ("status_class", "expected"),
    [
        ("2xx", ["201 Created", "200 OK"]),
        ("3xx", ["302 Found"]),
        ("4xx", ["404 Not Found"]),
        ("5xx", ["500 Error"]),
        ("failed", ["refused"]),
    ],
)
def test_filter_by_status_class(qtbot, panel, status_class, expected):
    choose(qtbot, panel, panel.status_filter, status_class)
    assert column(panel, Column.STATUS) == expected


def test_filter_by_text_debounced(qtbot, panel):
    qtbot.keyClicks(panel.text_filter, COURSE_MARKER)
    rows_right_after = panel.model.rowCount()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    assert rows_right_after == 6
    assert column(panel, Column.WEBHOOK) == ["Courses", "Courses"]
    assert panel.status_label.text() == "2 matching deliveries"


def test_empty_filter_result_says_so(qtbot, panel):
    qtbot.keyClicks(panel.text_filter, "no-delivery-has-this")

    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    qtbot.waitUntil(
        lambda: panel.status_label.text() == "No deliveries match the filters",
        timeout=5000,
    )


def test_click_emits_entry_chosen(qtbot, panel):
    expected = panel.model.entry_at(2).id
    with qtbot.waitSignal(panel.entry_chosen, timeout=2000) as blocker:
        select_row(qtbot, panel, 2)
    assert blocker.args == [expected]


def test_chosen_entry_gives_result(qtbot, panel, controller):
    select_row(qtbot, panel, 1)
    entry = run_in_loop(qtbot, controller.history_entry(panel.current_entry_id()))
    result = entry.to_result()
    assert result.response is not None
    assert result.response.status == 500


def test_resend_emits(qtbot, panel):
    select_row(qtbot, panel, 4)
    with qtbot.waitSignal(panel.resend_requested, timeout=2000) as blocker:
        panel.resend_action.trigger()
    assert blocker.args == [panel.model.entry_at(4).id]


def test_export_emits_kind(qtbot, panel):
    select_row(qtbot, panel, 0)
    with qtbot.waitSignal(panel.export_requested, timeout=2000) as blocker:
        panel.export_actions[ExportKind.CURL].trigger()
    assert blocker.args == [panel.model.entry_at(0).id, "curl"]


def test_actions_need_selection(qtbot, panel):
    assert not panel.resend_action.isEnabled()
    assert not panel.copy_curl_action.isEnabled()


def test_copy_as_curl(qtbot, panel):
    QGuiApplication.clipboard().clear()
    select_row(qtbot, panel, 5)
    panel.table.setFocus()
    qtbot.keyClick(
        panel.table,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    clipboard = QGuiApplication.clipboard()
    qtbot.waitUntil(lambda: clipboard.text().startswith("curl "), timeout=5000)
    text = clipboard.text()
    assert "--data-binary '{\"order\": 1}'" in text
    assert f"-u 'carol:{MASK}'" in text
    assert PASSWORD not in text
    assert "Copied the cURL command" in panel.message_label.text()


def test_refreshes_after_delivery(qtbot, panel, controller, server):
    select_row(qtbot, panel, 2)
    selected = panel.current_entry_id()
    result = send_all(qtbot, [webhook_for(server.url, 404)])[0]
    controller.record_delivery(result, None, None, "user.created")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 7, timeout=5000)
    assert column(panel, Column.WEBHOOK)[0] == "Command line"
    assert panel.current_entry_id() == selected


def test_delete_selected(qtbot, panel, controller):
    select_row(qtbot, panel, 0)
    rect = panel.table.visualRect(panel.model.index(1, Column.URL))
    qtbot.mouseClick(
        panel.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        rect.center(),
    )
    doomed = panel.selected_entry_ids()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    box = open_question(qtbot, panel)
    text = box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=5000)
    assert text == "Delete the 2 selected deliveries from the history?"
    remaining = [entry.id for entry in panel.model.entries()]
    assert len(doomed) == 2
    assert not set(doomed) & set(remaining)
    assert run_in_loop(qtbot, controller.history_count()) == 4


def open_question(qtbot, panel) -> QMessageBox:
    qtbot.waitUntil(lambda: panel.question_box is not None, timeout=2000)
    box = panel.question_box
    assert box is not None
    return box


def clear_box(qtbot, panel) -> QMessageBox:
    panel.clear_action.trigger()
    return open_question(qtbot, panel)


def test_delete_cancelled_with_escape(qtbot, panel, controller):
    select_row(qtbot, panel, 0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    box = open_question(qtbot, panel)
    text = box.text()
    row_texts = [panel.model.index(0, column).data() for column in Column]
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.question_box is None, timeout=2000)

    time, status, _elapsed, _webhook, topic, _method, _url = row_texts
    assert (
        text == f"Delete the delivery of {time} ({topic}, {status}) from the history?"
    )
    assert panel.model.rowCount() == 6
    assert run_in_loop(qtbot, controller.history_count()) == 6


def test_clear_all_return_cancels(qtbot, panel, controller):
    box = clear_box(qtbot, panel)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.question_box is None, timeout=2000)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=2000)

    assert run_in_loop(qtbot, controller.history_count()) == 6


def test_clear_all_confirmed(qtbot, panel, controller):
    box = clear_box(qtbot, panel)
    text = box.text()
    informative = box.informativeText()
    delete_button = next(
        button
        for button in box.buttons()
        if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole
    )
    delete_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    assert text == "Delete all 6 recorded deliveries?"
    assert informative.startswith("This cannot be undone.")
    assert run_in_loop(qtbot, controller.history_count()) == 0


def test_clear_all_cancelled(qtbot, panel, controller):
    box = clear_box(qtbot, panel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: panel.question_box is None, timeout=2000)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=2000)
    assert run_in_loop(qtbot, controller.history_count()) == 6


# Paging.


@pytest.fixture
def many(qtbot, controller, server):
    result = send_all(qtbot, [webhook_for(server.url, 200)])[0]
    for _ in range(450):
        controller.record_delivery(result, None, "Bulk", "sale.new")
    run_in_loop(qtbot, controller.flush_history(), timeout_ms=60_000)


def test_pages_load_on_scroll(qtbot, qloop, controller, many):
    panel = HistoryPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    qtbot.waitExposed(panel)
    run_in_loop(qtbot, panel.reload())
    first_page = panel.model.rowCount()
    first_status = panel.status_label.text()

    bar = panel.table.verticalScrollBar()
    for expected in (2 * PAGE_SIZE, 450):
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda n=expected: panel.model.rowCount() == n, timeout=5000)
    ids = [entry.id for entry in panel.model.entries()]
    run_in_loop(qtbot, panel.aclose())

    assert first_page == PAGE_SIZE
    assert first_status == "200 of 450 deliveries"
    assert len(set(ids)) == 450
    assert ids == sorted(ids, reverse=True)
    assert not panel.model.has_more


def test_reload_keeps_loaded_rows(qtbot, qloop, controller, many):
    panel = HistoryPanel(controller)
    qtbot.addWidget(panel)
    run_in_loop(qtbot, panel.reload())
    panel.model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2 * PAGE_SIZE, timeout=5000)
    run_in_loop(qtbot, panel.reload())
    rows = panel.model.rowCount()
    run_in_loop(qtbot, panel.aclose())
    assert rows == 2 * PAGE_SIZE


def test_database_keeps_all(qtbot, controller, many, app_home):
    close_controller(qtbot, controller)
    with Store.open(app_home / "studio.sqlite3") as store:
        assert store.history.count() == 450


def test_copy_binary_body_refused(qtbot, qloop, controller, server):
    webhook = webhook_for(server.url, 200, body="bell \x07 body")
    result = send_all(qtbot, [webhook])[0]
    controller.record_delivery(result, None, "Binary", "sale.new")
    run_in_loop(qtbot, controller.flush_history())
    panel = HistoryPanel(controller)
    run_in_loop(qtbot, panel.reload())
    QGuiApplication.clipboard().setText("before")
    copied = run_in_loop(qtbot, panel.copy_as_curl(panel.model.entry_at(0).id))
    message = panel.message_label.text()
    run_in_loop(qtbot, panel.aclose())
    panel.deleteLater()

    assert not copied
    assert QGuiApplication.clipboard().text() == "before"
    assert "Use Export as › cURL command" in message


def test_read_only_disables_delete(qtbot, panel):
    select_row(qtbot, panel, 0)
    panel.set_read_only(True)
    assert not panel.delete_action.isEnabled()
    assert not panel.clear_action.isEnabled()
    assert panel.copy_curl_action.isEnabled()


def test_status_column_fits_phrase(qtbot, panel):
    row = column(panel, Column.STATUS).index("500 Error")
    font = panel.model.index(row, Column.STATUS).data(Qt.ItemDataRole.FontRole)
    needed = QFontMetrics(font).horizontalAdvance("500 Internal Server Error")
    assert panel.table.columnWidth(Column.STATUS) > needed


def test_status_tooltip_repeats_cell(qtbot, panel):
    row = column(panel, Column.STATUS).index("500 Error")
    tooltip = panel.model.index(row, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines()[0] == "500 Error"
    assert "bytes in the response body" in tooltip


def _summary(status: int | None, failure_kind: str | None) -> HistorySummary:
    return HistorySummary(
        id=1,
        run_id=None,
        webhook_id=None,
        webhook_name=None,
        topic_key="user.created",
        started_at=datetime.now(UTC),
        elapsed_ms=5.0,
        method="POST",
        url="http://127.0.0.1:9/hook",
        status=status,
        reason="OK" if status else None,
        failure_kind=failure_kind,
        response_size=None,
    )


@pytest.mark.parametrize(
    ("status", "failure_kind", "shown"),
    [
        (200, None, "200 OK"),
        (None, "refused", "refused"),
        (200, "reset", "200 reset"),
    ],
)
def test_status_text_shows_status_and_failure(status, failure_kind, shown):
    assert status_text(_summary(status, failure_kind)) == shown


def test_delete_one_says_delivery(qtbot, panel):
    select_row(qtbot, panel, 0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    qtbot.keyClick(open_question(qtbot, panel), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=5000)

    assert panel._message.text() == "Deleted 1 delivery."


def test_one_match_counted_in_singular(qtbot, panel):
    choose(qtbot, panel, panel.status_filter, "3xx")

    qtbot.waitUntil(lambda: "delivery" in panel.status_label.text(), timeout=5000)
    assert panel.status_label.text() in {
        "1 matching delivery",
        "1 of 1 matching delivery",
    }


def test_shown_panel_picks_up_other_programs_deliveries(qtbot, panel, app_home):
    before = panel.model.rowCount()
    # The panel notes the database's state when it shows, and compares later
    # states with that one.
    qtbot.waitUntil(lambda: panel._controller._data_version is not None, timeout=5000)

    with Store.open(app_home / "studio.sqlite3") as other_program:
        other_program.history.record(sample_result(), None, None, "sale.new")

    qtbot.waitUntil(lambda: panel.model.rowCount() == before + 1, timeout=6000)
