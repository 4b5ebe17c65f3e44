"""The rules dialog: editing, validation, and rules the receiver then applies."""

import pytest
from PySide6.QtCore import Qt

from bchook_studio.core.receiver import DEFAULT_RULE, Fault, ResponseRule
from bchook_studio.gui.inbox import RulesDialog
from tests.gui.inbox_support import (
    WAIT_MS,
    close_controller,
    close_panel,
    open_panel,
    recorder,
    send,
    start_controller,
)


@pytest.fixture
def dialog(qtbot):
    widget = RulesDialog()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _type(qtbot, field, text: str) -> None:
    """Replace a line edit's text as a user does, so textEdited is emitted."""
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def test_rule_applied_by_receiver(qtbot, qloop):
    controller = start_controller(qtbot)
    panel = open_panel(qtbot, controller)
    try:
        dialog = panel.open_rules_dialog()
        dialog.add_rule()
        _type(qtbot, dialog.prefix_field, "/down")
        dialog.status_field.setValue(503)
        with qtbot.waitSignal(panel.rules_changed, timeout=WAIT_MS) as blocker:
            dialog.button_box.button(dialog.button_box.StandardButton.Apply).click()
        rules = blocker.args[0]
        assert [rule.path_prefix for rule in rules] == ["/down", "/"]
        assert send(qtbot, "POST", controller.base_url + "/down/x").status_code == 503
        assert send(qtbot, "POST", controller.base_url + "/other").status_code == 200
    finally:
        close_panel(qtbot, panel)
        close_controller(qtbot, controller)


def test_credentials_rule_answers_401(qtbot, qloop):
    controller = start_controller(qtbot)
    panel = open_panel(qtbot, controller)
    try:
        dialog = panel.open_rules_dialog()
        dialog.credentials_box.setChecked(True)
        _type(qtbot, dialog.username_field, "carol")
        _type(qtbot, dialog.password_field, "pw")
        assert dialog.apply() is True
        url = controller.base_url + "/"
        assert send(qtbot, "POST", url).status_code == 401
        assert send(qtbot, "POST", url, auth=("carol", "pw")).status_code == 200
    finally:
        close_panel(qtbot, panel)
        close_controller(qtbot, controller)


def test_prefix_without_slash_named(qtbot, dialog):
    dialog.add_rule()
    _type(qtbot, dialog.prefix_field, "orders")
    problem = dialog.problem_label.text()
    assert "'orders'" in problem
    assert problem.startswith("Rule 1 (orders):")
    assert not dialog.button_box.button(dialog.button_box.StandardButton.Ok).isEnabled()
    assert dialog.apply() is False


def test_header_line_without_colon_named(qtbot, dialog):
    dialog.headers_field.setPlainText("X-Ok: 1\nBroken line")
    assert "'Broken line'" in dialog.problem_label.text()
    assert "line 2" in dialog.problem_label.text()


def test_header_name_invalid_named(qtbot, dialog):
    dialog.headers_field.setPlainText("Bad Name: 1")
    assert "'Bad Name'" in dialog.problem_label.text()


def test_username_with_colon_named(qtbot, dialog):
    dialog.credentials_box.setChecked(True)
    _type(qtbot, dialog.username_field, "a:b")
    assert "'a:b'" in dialog.problem_label.text()


def test_last_rule_fixed(qtbot, dialog):
    dialog.set_rules((ResponseRule(path_prefix="/x", status=201), DEFAULT_RULE))
    dialog.list_widget.setCurrentRow(1)
    assert dialog.prefix_field.text() == "(everything else)"
    assert not dialog.prefix_field.isEnabled()
    assert not dialog.remove_button.isEnabled()
    assert not dialog.up_button.isEnabled()
    assert "(everything else)" in dialog.list_widget.item(1).text()


def test_last_rule_prefix_becomes_slash(qtbot, dialog):
    dialog.set_rules((ResponseRule(path_prefix="/only", status=202),))
    assert dialog.rules()[0].path_prefix == "/"
    assert dialog.rules()[0].status == 202


def test_add_goes_above_last(qtbot, dialog):
    dialog.add_rule()
    assert dialog.list_widget.count() == 2
    assert dialog.list_widget.currentRow() == 0
    assert dialog.rules()[0].path_prefix == "/webhook"


def test_move_and_remove(qtbot, dialog):
    dialog.set_rules(
        (
            ResponseRule(path_prefix="/a"),
            ResponseRule(path_prefix="/b"),
            DEFAULT_RULE,
        )
    )
    dialog.list_widget.setCurrentRow(1)
    assert not dialog.down_button.isEnabled()
    dialog.up_button.click()
    assert [rule.path_prefix for rule in dialog.rules()] == ["/b", "/a", "/"]
    assert dialog.list_widget.currentRow() == 0
    dialog.remove_button.click()
    assert [rule.path_prefix for rule in dialog.rules()] == ["/a", "/"]


def test_fields_round_trip(qtbot, dialog):
    rule = ResponseRule(
        path_prefix="/slow",
        status=299,
        delay_ms=1500,
        headers=(("X-One", "1"), ("X-Two", "2")),
        body=b'{"ok": true}',
        fault=Fault.SLOW,
        slow_interval_ms=20,
        name="Slow one",
    )
    dialog.set_rules((rule, DEFAULT_RULE))
    assert dialog.rules() == (rule, DEFAULT_RULE)


def test_binary_body_kept(qtbot, dialog):
    rule = ResponseRule(body=b"\xff\x00\xfe")
    dialog.set_rules((rule,))
    assert dialog.rules()[0].body == b"\xff\x00\xfe"
    assert "3 bytes" in dialog.body_field.placeholderText()


def test_cancel_drops_edits(qtbot, qloop):
    controller = start_controller(qtbot)
    panel = open_panel(qtbot, controller)
    changes, record = recorder()
    panel.rules_changed.connect(record)
    try:
        dialog = panel.open_rules_dialog()
        dialog.add_rule()
        dialog.reject()
        dialog = panel.open_rules_dialog()
        assert dialog.list_widget.count() == 1
        assert changes == []
    finally:
        close_panel(qtbot, panel)
        close_controller(qtbot, controller)
