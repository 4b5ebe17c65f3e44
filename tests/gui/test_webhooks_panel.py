"""The saved webhooks list: its model, the panel's actions, and the binding that
carries them out against a real database."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from bchook_studio.core.store import Store, WebhookSummary
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui.webhook_list_model import (
    DETAIL_ROLE,
    FORMAT_ROLE,
    UNSAVED_ROLE,
    WEBHOOK_ID_ROLE,
    WebhookFilterModel,
    WebhookListModel,
    describe_target,
)
from bchook_studio.gui.webhooks_binding import WebhooksBinding
from bchook_studio.gui.webhooks_panel import WebhooksPanel
from tests.gui.conftest import run_in_loop
from tests.gui.store_support import close_controller, open_controller
from tests.store_fixtures import use_keyring

NOW = datetime(2026, 12, 4, 16, 12, tzinfo=UTC)


def summary(
    webhook_id: int,
    name: str,
    url: str = "https://crm.example.test/hooks/braincert?key=********",
    topic_key: str = "course.created",
    body_format: str = "json",
) -> WebhookSummary:
    return WebhookSummary(webhook_id, name, topic_key, url, body_format, NOW, NOW)


SUMMARIES = [
    summary(1, "Course sync", topic_key="course.created"),
    summary(
        2,
        "Local test",
        "receiver:/webhook",
        topic_key="user.created",
        body_format="xml",
    ),
    summary(3, "Sales to ERP", url="http://127.0.0.1:8080/erp", topic_key="sale.new"),
]


@pytest.fixture
def model(qapp):
    list_model = WebhookListModel()
    list_model.set_summaries(SUMMARIES)
    return list_model


@pytest.fixture
def panel(qtbot, qapp):
    widget = WebhooksPanel()
    qtbot.addWidget(widget)
    widget.resize(280, 420)
    widget.set_webhooks(SUMMARIES)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def visible_names(panel: WebhooksPanel) -> list[str]:
    proxy = panel.proxy
    return [
        proxy.index(row, 0).data(Qt.ItemDataRole.EditRole)
        for row in range(proxy.rowCount())
    ]


def focus_list(qtbot, panel: WebhooksPanel, webhook_id: int) -> None:
    panel.select(webhook_id)
    panel.list_view.setFocus()
    qtbot.waitUntil(panel.list_view.hasFocus, timeout=2000)


# The model, without a widget.


def test_model_lists_names(model):
    names = [model.index(row).data() for row in range(model.rowCount())]
    assert names == ["Course sync", "Local test", "Sales to ERP"]


def test_model_detail_line(model):
    details = [model.index(row).data(DETAIL_ROLE) for row in range(3)]
    assert details[0] == "Course Created · crm.example.test/hooks/braincert?…"
    assert details[1] == "User Created · Built-in receiver /webhook"
    assert details[2] == "New Sale · 127.0.0.1:8080/erp"


def test_model_format_tag(model):
    tags = [model.index(row).data(FORMAT_ROLE) for row in range(3)]
    assert tags == ["JSON", "XML", "JSON"]


def test_target_hides_user_info():
    assert describe_target("https://carol:********@example.test/a") == "example.test/a"


def test_target_receiver_root():
    assert describe_target("receiver:") == "Built-in receiver /"


def test_model_ids(model):
    assert [model.index(row).data(WEBHOOK_ID_ROLE) for row in range(3)] == [1, 2, 3]


def test_filter_matches_every_word(model):
    proxy = WebhookFilterModel()
    proxy.setSourceModel(model)
    proxy.set_query("erp sale")
    matched = [
        proxy.index(row, 0).data(WEBHOOK_ID_ROLE) for row in range(proxy.rowCount())
    ]
    assert matched == [3]


def test_filter_matches_topic_and_receiver(model):
    proxy = WebhookFilterModel()
    proxy.setSourceModel(model)
    proxy.set_query("built-in")
    by_target = proxy.rowCount()
    proxy.set_query("COURSE CREATED")
    by_topic = proxy.rowCount()
    assert by_target == 1
    assert by_topic == 1


def test_unsaved_mark_on_saved_row(model):
    model.set_unsaved(2, True)
    index = model.index(1)
    assert index.data() == "Local test •"
    assert index.data(Qt.ItemDataRole.EditRole) == "Local test"
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert index.data(UNSAVED_ROLE) is True


def test_unsaved_mark_cleared(model):
    model.set_unsaved(2, True)
    model.set_unsaved(2, False)
    assert model.index(1).data() == "Local test"


def test_draft_row_first(model):
    model.set_unsaved(None, True, "Untitled hook")
    assert model.rowCount() == 4
    assert model.index(0).data() == "Untitled hook •"
    assert model.index(0).data(WEBHOOK_ID_ROLE) is None
    assert model.row_of(3) == 3


def test_draft_row_not_editable(model):
    model.set_unsaved(None, True)
    flags = model.flags(model.index(0))
    assert not flags & Qt.ItemFlag.ItemIsEditable


def test_set_data_requests_rename(model):
    requested = []
    model.rename_requested.connect(lambda *args: requested.append(args))
    accepted = model.setData(model.index(0), "  Courses  ")
    assert accepted
    assert requested == [(1, "Courses")]
    assert model.index(0).data() == "Course sync"


def test_set_data_passes_empty_on(model):
    requested = []
    model.rename_requested.connect(lambda *args: requested.append(args))
    model.setData(model.index(0), "   ")
    assert requested == [(1, "")]
    assert model.index(0).data() == "Course sync"


# The panel's signals.


def test_click_emits_chosen(qtbot, panel):
    index = panel.proxy.index(2, 0)
    rect = panel.list_view.visualRect(index)
    with qtbot.waitSignal(panel.webhook_chosen, timeout=2000) as blocker:
        qtbot.mouseClick(
            panel.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert blocker.args == [3]


def test_select_does_not_emit(qtbot, panel):
    chosen = []
    panel.webhook_chosen.connect(chosen.append)
    panel.select(2)
    assert chosen == []
    assert panel.current_webhook_id() == 2


def test_new_shortcut_emits(qtbot, panel):
    with qtbot.waitSignal(panel.new_requested, timeout=2000):
        qtbot.keyClick(
            panel.filter_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
        )


def test_duplicate_shortcut_emits(qtbot, panel):
    focus_list(qtbot, panel, 2)
    with qtbot.waitSignal(panel.duplicate_requested, timeout=2000) as blocker:
        qtbot.keyClick(
            panel.list_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
        )
    assert blocker.args == [2]


def test_delete_key_emits(qtbot, panel):
    focus_list(qtbot, panel, 3)
    with qtbot.waitSignal(panel.delete_requested, timeout=2000) as blocker:
        qtbot.keyClick(panel.list_view, Qt.Key.Key_Delete)
    assert blocker.args == [3]


def test_delete_key_in_filter_box_ignored(qtbot, panel):
    panel.select(3)
    panel.filter_box.setText("abc")
    panel.filter_box.setFocus()
    deleted = []
    panel.delete_requested.connect(deleted.append)
    panel.filter_box.setCursorPosition(0)
    qtbot.keyClick(panel.filter_box, Qt.Key.Key_Delete)
    assert deleted == []
    assert panel.filter_box.text() == "bc"


def test_f2_renames_in_place(qtbot, panel):
    focus_list(qtbot, panel, 1)
    qtbot.keyClick(panel.list_view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "Course sync"
    editor.selectAll()
    qtbot.keyClicks(editor, "Course mirror")
    with qtbot.waitSignal(panel.rename_requested, timeout=2000) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args == [1, "Course mirror"]


def test_ctrl_z_needs_undo(qtbot, panel):
    focus_list(qtbot, panel, 1)
    undone = []
    panel.undo_delete_requested.connect(lambda: undone.append(True))
    qtbot.keyClick(panel.list_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert undone == []


def test_undo_bar_button_emits(qtbot, panel):
    panel.show_undo("Sales to ERP")
    assert panel.undo_bar.isVisible()
    assert panel.undo_bar.label.text() == "Deleted “Sales to ERP”"
    with qtbot.waitSignal(panel.undo_delete_requested, timeout=2000):
        panel.undo_bar._undo_button.click()


def test_undo_bar_hides_after_timeout(qtbot, panel):
    panel.show_undo("Sales to ERP")
    assert panel.undo_bar.timer.interval() == 10_000
    panel.undo_bar.timer.setInterval(50)
    panel.undo_bar.timer.start()
    qtbot.waitUntil(lambda: not panel.undo_bar.isVisible(), timeout=2000)


def test_filter_box_filters(qtbot, panel):
    qtbot.keyClicks(panel.filter_box, "local")
    assert visible_names(panel) == ["Local test"]


def test_filter_no_match_message(qtbot, panel):
    qtbot.keyClicks(panel.filter_box, "zzz")
    assert panel.empty_label.isVisible()
    assert panel.empty_label.text() == "No saved webhook matches “zzz”."


def test_empty_list_message(qtbot, panel):
    panel.set_webhooks([])
    assert panel.empty_label.isVisible()
    assert panel.empty_label.text().startswith("No saved webhooks yet.")


def test_unsaved_marker_shows(qtbot, panel):
    panel.select(1)
    panel.mark_unsaved(1, True)
    index = panel.proxy.index(0, 0)
    assert index.data() == "Course sync •"
    assert index.data(Qt.ItemDataRole.FontRole).italic()


def test_new_draft_selected(qtbot, panel):
    panel.select(None)
    panel.mark_unsaved(None, True)
    assert panel.proxy.index(0, 0).data() == "New webhook •"
    assert panel.list_view.currentIndex().row() == 0
    assert panel.current_webhook_id() is None


def test_read_only_disables_writes(qtbot, panel):
    panel.select(1)
    panel.set_read_only(True)
    assert not panel.delete_action.isEnabled()
    assert not panel.save_action.isEnabled()
    assert panel.new_action.isEnabled()


def test_set_webhooks_keeps_selection(qtbot, panel):
    panel.select(2)
    panel.set_webhooks([*SUMMARIES, summary(4, "Another")])
    assert panel.current_webhook_id() == 2


# Through the binding and the store controller.


@pytest.fixture
def keychain():
    with use_keyring() as backend:
        yield backend


@pytest.fixture
def database(app_home):
    return app_home / "studio.sqlite3"


@pytest.fixture
def bound(qtbot, qloop, database, keychain, panel):
    with Store.open(database) as store:
        for name in ("Alpha", "Beta"):
            store.save_webhook(Webhook(name=name, url="receiver:/webhook"))
    controller = open_controller(qtbot, database)
    binding = WebhooksBinding(panel, controller)
    run_in_loop(qtbot, binding.refresh_now())
    yield panel, controller, binding
    run_in_loop(qtbot, binding.aclose())
    close_controller(qtbot, controller)


def saved_names(database) -> list[str]:
    with use_keyring(), Store.open(database) as store:
        return [summary.name for summary in store.list_webhooks()]


def wait_for_names(qtbot, panel, names: list[str]) -> None:
    qtbot.waitUntil(lambda: visible_names(panel) == names, timeout=5000)


def test_binding_lists_saved(qtbot, bound):
    panel, _controller, _binding = bound
    assert visible_names(panel) == ["Alpha", "Beta"]


def test_duplicate_reaches_database(qtbot, bound, database):
    panel, controller, binding = bound
    focus_list(qtbot, panel, panel.model.webhook_id_at(0))
    with qtbot.waitSignal(binding.webhook_duplicated, timeout=5000):
        qtbot.keyClick(
            panel.list_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
        )
    wait_for_names(qtbot, panel, ["Alpha", "Alpha (2)", "Beta"])
    run_in_loop(qtbot, binding.aclose())
    close_controller(qtbot, controller)
    assert saved_names(database) == ["Alpha", "Alpha (2)", "Beta"]


def test_rename_reaches_database(qtbot, bound, database):
    panel, controller, binding = bound
    focus_list(qtbot, panel, panel.model.webhook_id_at(1))
    qtbot.keyClick(panel.list_view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Gamma")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_for_names(qtbot, panel, ["Alpha", "Gamma"])
    run_in_loop(qtbot, binding.aclose())
    close_controller(qtbot, controller)
    assert saved_names(database) == ["Alpha", "Gamma"]


def test_rename_taken_reports(qtbot, bound):
    panel, _controller, binding = bound
    beta = panel.model.webhook_id_at(1)
    with qtbot.waitSignal(binding.error_occurred, timeout=5000) as blocker:
        panel.rename_requested.emit(beta, "alpha")
    assert blocker.args[0].startswith("Could not rename the webhook to “alpha”:")
    assert "already exists" in blocker.args[0]


def test_rename_to_empty_reports(qtbot, bound):
    panel, _controller, binding = bound
    beta = panel.model.webhook_id_at(1)
    with qtbot.waitSignal(binding.error_occurred, timeout=5000) as blocker:
        panel.rename_requested.emit(beta, "")
    assert blocker.args[0] == "Could not rename the webhook: a name cannot be empty."


def test_ctrl_z_restores_last_deleted(qtbot, bound, database):
    panel, _controller, binding = bound
    for webhook_id in (panel.model.webhook_id_at(0), panel.model.webhook_id_at(1)):
        focus_list(qtbot, panel, webhook_id)
        with qtbot.waitSignal(binding.webhook_deleted, timeout=5000):
            qtbot.keyClick(panel.list_view, Qt.Key.Key_Delete)
    wait_for_names(qtbot, panel, [])
    qtbot.waitUntil(panel.empty_label.hasFocus, timeout=2000)

    with qtbot.waitSignal(binding.webhook_restored, timeout=5000):
        qtbot.keyClick(
            panel.empty_label, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
        )
    wait_for_names(qtbot, panel, ["Beta"])

    assert saved_names(database) == ["Beta"]
    assert panel.list_view.hasFocus()


def test_delete_then_undo(qtbot, bound, database):
    panel, controller, binding = bound
    alpha = panel.model.webhook_id_at(0)
    focus_list(qtbot, panel, alpha)
    with qtbot.waitSignal(binding.webhook_deleted, timeout=5000):
        qtbot.keyClick(panel.list_view, Qt.Key.Key_Delete)
    wait_for_names(qtbot, panel, ["Beta"])
    after_delete = saved_names(database)
    bar_text = panel.undo_bar.label.text()
    bar_shown = panel.undo_bar.isVisible()

    panel.list_view.setFocus()
    qtbot.waitUntil(panel.list_view.hasFocus, timeout=2000)
    with qtbot.waitSignal(binding.webhook_restored, timeout=5000) as restored:
        qtbot.keyClick(
            panel.list_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
        )
    wait_for_names(qtbot, panel, ["Alpha", "Beta"])
    run_in_loop(qtbot, binding.aclose())
    close_controller(qtbot, controller)

    assert after_delete == ["Beta"]
    assert bar_shown
    assert bar_text == "Deleted “Alpha”"
    assert restored.args == [alpha]
    assert not panel.undo_bar.isVisible()
    assert not panel.undo_delete_action.isEnabled()
    assert saved_names(database) == ["Alpha", "Beta"]
