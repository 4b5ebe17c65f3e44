"""The template designer: live preview, completion, problems, event data, modes."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from bchook_studio.core.bodies import default_body
from bchook_studio.core.formats import BodyFormat, FormatError
from bchook_studio.core.templates import ProblemKind, default_template
from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import BodyMode, Webhook
from bchook_studio.gui.designer import (
    FormatSwitchAction,
    ProblemSite,
    RenderRunner,
    TemplateDesigner,
)
from bchook_studio.gui.designer.designer_views import BODY_TAB, EVENT_TAB
from bchook_studio.gui.designer.render_status import NEUTRAL_COLOUR, PROBLEM_COLOUR
from tests.gui.conftest import run_in_loop

WAIT_MS = 20_000
ENROLLMENT = "course.enrollment"


@pytest.fixture(scope="module")
def runner():
    render_runner = RenderRunner()
    yield render_runner
    render_runner.pool.shutdown()


def _close(qtbot, widget: TemplateDesigner) -> None:
    """Stop the designer's renders, then delete it.

    qtbot.addWidget would delete it before fixture teardown, while its renders
    still run.
    """
    run_in_loop(qtbot, widget.aclose())
    widget.close()
    widget.deleteLater()


@pytest.fixture
def designer(qtbot, qloop, runner):
    widget = TemplateDesigner(runner=runner, topic=find_topic(ENROLLMENT))
    widget.resize(650, 640)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    _close(qtbot, widget)


def _template_mode(qtbot, designer: TemplateDesigner, text: str) -> None:
    """Switch to Template mode, load `text` and wait for its preview."""
    designer.set_webhook_body(BodyMode.TEMPLATE, text, "")
    _wait_for_text(qtbot, designer, text)


def _wait_for_text(qtbot, designer: TemplateDesigner, text: str) -> None:
    """Wait until the preview shows a render of the body editor's text `text`."""
    qtbot.waitUntil(
        lambda: designer.body_text() == text and not designer.is_rendering(),
        timeout=WAIT_MS,
    )


def _type_at_end(qtbot, designer: TemplateDesigner, text: str) -> None:
    editor = designer.body_editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, text)


def _double_click(qtbot, widget, position) -> None:
    """Click, then double-click: QTest's double click alone sends no press first,
    which item views need."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=position)


def test_typing_placeholder_updates_preview(qtbot, designer):
    _template_mode(qtbot, designer, '{"email": ')

    with qtbot.waitSignal(
        designer.preview_updated,
        timeout=WAIT_MS,
        check_params_cb=lambda result: result.ok,
    ) as blocker:
        _type_at_end(qtbot, designer, "{{ payload.user.email }}}")

    assert blocker.args[0].text == '{"email": "jane.doe@example.com"}'
    assert designer.preview.editor.toPlainText() == blocker.args[0].text
    assert "well-formed JSON" in designer.preview.status.text()


def test_completion_offers_payload_fields(qtbot, designer):
    _template_mode(qtbot, designer, "")

    _type_at_end(qtbot, designer, "{{ payload.")

    completer = designer.body_editor.completer
    model = completer.completionModel()
    rows = [
        model.index(row, 0).data(Qt.ItemDataRole.EditRole)
        for row in range(model.rowCount())
    ]
    displayed = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert "payload.user.email" in rows
    assert all(row.startswith("payload.") for row in rows)
    assert 'payload.user.email — "jane.doe@example.com"' in displayed
    assert completer.popup().isVisible()


def test_completion_after_switching_from_raw_mode(qtbot, designer):
    assert not designer.template_button.isChecked()
    designer.template_button.click()
    designer.body_editor.set_text("")

    _type_at_end(qtbot, designer, "{{ payload.")

    model = designer.body_editor.completer.completionModel()
    rows = [
        model.index(row, 0).data(Qt.ItemDataRole.EditRole)
        for row in range(model.rowCount())
    ]
    assert "payload.user.email" in rows


def test_completion_enter_inserts(qtbot, designer):
    _template_mode(qtbot, designer, "")
    _type_at_end(qtbot, designer, "{{ payload.user.em")
    popup = designer.body_editor.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)

    qtbot.keyClick(popup, Qt.Key.Key_Return)

    assert designer.body_text() == "{{ payload.user.email }}"
    assert not popup.isVisible()


def test_completion_tab_inserts(qtbot, designer):
    _template_mode(qtbot, designer, '{"id": , "x": 1}')
    editor = designer.body_editor
    cursor = editor.textCursor()
    cursor.setPosition(len('{"id": '))
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClicks(editor, "{{ payload.course.na")
    popup = editor.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)

    qtbot.keyClick(popup, Qt.Key.Key_Tab)

    assert designer.body_text() == '{"id": {{ payload.course.name }}, "x": 1}'


def test_completion_escape_closes(qtbot, designer):
    _template_mode(qtbot, designer, "")
    _type_at_end(qtbot, designer, "{{ ")
    popup = designer.body_editor.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)

    qtbot.keyClick(popup, Qt.Key.Key_Escape)

    assert not popup.isVisible()
    assert designer.body_text() == "{{ "


def test_completion_offers_helpers(qtbot, designer):
    _template_mode(qtbot, designer, "")

    _type_at_end(qtbot, designer, "{{ ")

    model = designer.body_editor.completer.completionModel()
    rows = {
        model.index(row, 0).data(Qt.ItemDataRole.EditRole)
        for row in range(model.rowCount())
    }
    for expression in (
        "event",
        "topic.key",
        "topic.title",
        "studio.now_iso()",
        "studio.now_unix()",
        "studio.uuid()",
    ):
        assert expression in rows


def test_no_completion_in_raw_mode(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, "", "")

    _type_at_end(qtbot, designer, "{{ payload.")

    assert not designer.body_editor.completer.popup().isVisible()


def test_undefined_field_marked_and_listed(qtbot, designer):
    _template_mode(qtbot, designer, '{\n  "a": {{ payload.nope }}\n}\n')

    tooltip = designer.body_editor.problem_at_line(2)
    problems = designer.problems()
    assert tooltip is not None
    assert "payload has no field 'nope'" in tooltip
    assert len(problems) == 1
    assert problems[0].kind == ProblemKind.UNDEFINED.value
    assert problems[0].site is ProblemSite.BODY
    assert (problems[0].line, problems[0].column) == (2, 19)
    assert "Its fields: activated_at, course" in problems[0].message


def test_problem_double_click_moves_cursor(qtbot, designer):
    _template_mode(qtbot, designer, '{\n  "a": {{ payload.nope }}\n}\n')
    designer.tabs.setCurrentIndex(EVENT_TAB)
    view = designer.problem_list
    index = view.model().index(0, 0)
    view.scrollTo(index)

    _double_click(qtbot, view.viewport(), view.visualRect(index).center())

    cursor = designer.body_editor.textCursor()
    assert designer.tabs.currentIndex() == BODY_TAB
    assert cursor.blockNumber() == 1
    assert cursor.positionInBlock() == 18
    assert designer.body_editor.hasFocus()


def test_problems_listed_in_model(qtbot, designer):
    _template_mode(qtbot, designer, '{\n  "a": {{ payload.nope }}\n}\n')

    model = designer.problem_list.model()
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Undefined"
    assert model.index(0, 1).data() == "2:19"
    assert "payload has no field 'nope'" in model.index(0, 2).data()


def test_malformed_body_marked_in_preview(qtbot, designer):
    _template_mode(qtbot, designer, '{"a": {{ payload.user.email }}\n')

    problems = designer.problems()
    where = designer.problem_list.model().index(0, 1).data()
    assert len(problems) == 1
    assert problems[0].site is ProblemSite.RENDERED
    assert designer.preview.editor.problem_at_line(problems[0].line) is not None
    assert designer.body_editor.problems() == ()
    assert where.endswith("in rendered body")
    assert "not well-formed JSON" in designer.preview.status.text()


def test_deep_template_body_not_checked(qtbot, designer):
    _template_mode(qtbot, designer, "[" * 1000 + "]" * 1000)

    problems = designer.problems()
    status = designer.preview.status
    assert len(problems) == 1
    assert problems[0].site is ProblemSite.RENDERED
    assert (problems[0].line, problems[0].column) == (1, 901)
    assert problems[0].message.startswith(
        "the rendered body is nested too deeply for Hook Studio's JSON parser "
        "to check: "
    )
    assert "JSON nested too deeply to check at line 1, column 901" in status.text()
    assert "not well-formed" not in status.text()
    assert NEUTRAL_COLOUR in status.styleSheet()


def test_deep_raw_xml_not_checked(qtbot, designer):
    designer.set_format(BodyFormat.XML)
    designer.set_webhook_body(BodyMode.RAW, "<a>" * 300 + "</a>" * 300, "")

    problems = designer.problems()
    status = designer.preview.status.text()
    assert len(problems) == 1
    assert problems[0].site is ProblemSite.BODY
    assert problems[0].message.startswith(
        "the body is nested too deeply for Hook Studio's XML parser to check: "
    )
    assert "more than 256 levels deep" in problems[0].message
    assert "XML nested too deeply to check at line 1, column " in status
    assert "not well-formed" not in status


def test_deep_body_listed_as_not_checked(qtbot, designer):
    designer.set_format(BodyFormat.XML)
    designer.set_webhook_body(BodyMode.RAW, "<a>" * 300 + "</a>" * 300, "")
    model = designer.problem_list.problem_model

    kind = model.index(0, model.KIND_COLUMN).data()

    assert kind == "Not checked"
    assert designer.problems()[0].warning


def test_long_raw_xml_text_not_checked(qtbot, designer):
    designer.set_format(BodyFormat.XML)
    designer.set_webhook_body(BodyMode.RAW, "<a>" + "x" * 10_000_001 + "</a>", "")
    qtbot.waitUntil(lambda: not designer.is_rendering(), timeout=WAIT_MS)

    problems = designer.problems()
    status = designer.preview.status.text()
    assert len(problems) == 1
    assert problems[0].message.startswith(
        "the body is too large for Hook Studio's XML parser to check: "
    )
    assert "XML too large to check at line 1, column " in status
    assert "not well-formed" not in status


def test_malformed_status_colour(qtbot, designer):
    _template_mode(qtbot, designer, '{"a": {{ payload.user.email }}\n')

    assert PROBLEM_COLOUR in designer.preview.status.styleSheet()


def test_syntax_error_marked(qtbot, designer):
    _template_mode(qtbot, designer, "{\n{% if %}\n}\n")

    problems = designer.problems()
    assert problems[0].kind == ProblemKind.SYNTAX.value
    assert designer.body_editor.problem_at_line(problems[0].line) is not None
    assert designer.preview.status.text().startswith("Not rendered")


def test_invalid_event_marked_and_listed(qtbot, designer):
    _template_mode(qtbot, designer, "{{ payload.user.email }}")

    designer.event_editor.setFocus()
    designer.event_editor.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClicks(designer.event_editor, "x")
    qtbot.waitUntil(lambda: not designer.is_rendering(), timeout=WAIT_MS)

    problems = designer.problems()
    assert [problem.site for problem in problems] == [ProblemSite.EVENT]
    assert designer.event_editor.problem_at_line(1) is not None
    assert designer.problem_list.model().index(0, 1).data() == "1:1 in event data"
    assert designer.preview.status.text().startswith("Not rendered")
    with pytest.raises(FormatError):
        designer.event_data()


def test_reset_restores_example_undoably(qtbot, designer):
    example = find_topic(ENROLLMENT).example_text()
    editor = designer.event_editor
    editor.setFocus()
    assert editor.find('"Jane"')
    qtbot.keyClicks(editor, '"Janet"')
    edited = editor.toPlainText()
    assert designer.event_text() == edited

    with qtbot.waitSignal(designer.changed, timeout=WAIT_MS):
        designer.reset_event_button.click()

    assert editor.toPlainText() == example
    assert designer.event_text() == ""
    editor.undo()
    assert editor.toPlainText() == edited


def test_edited_event_renders(qtbot, designer):
    _template_mode(qtbot, designer, "{{ payload.user.email }}")
    event_text = (
        find_topic(ENROLLMENT)
        .example_text()
        .replace("jane.doe@example.com", "max@example.com")
    )

    designer.event_editor.setFocus()
    designer.event_editor.selectAll()
    designer.event_editor.insertPlainText(event_text)
    qtbot.waitUntil(
        lambda: designer.preview.editor.toPlainText() == '"max@example.com"',
        timeout=WAIT_MS,
    )

    assert designer.event_text() == event_text


def test_tree_insert_button(qtbot, designer):
    _template_mode(qtbot, designer, '{"email": , "x": 1}')
    editor = designer.body_editor
    cursor = editor.textCursor()
    cursor.setPosition(len('{"email": '))
    editor.setTextCursor(cursor)

    assert designer.fields_panel.select_expression("payload.user.email")
    designer.fields_panel.insert_button.click()

    assert designer.body_text() == '{"email": {{ payload.user.email }}, "x": 1}'
    editor.undo()
    assert designer.body_text() == '{"email": , "x": 1}'


def test_tree_double_click_inserts(qtbot, designer):
    _template_mode(qtbot, designer, "")
    panel = designer.fields_panel
    assert panel.select_expression("payload.user.email")
    index = panel.tree.currentIndex()
    panel.tree.scrollTo(index)

    _double_click(qtbot, panel.tree.viewport(), panel.tree.visualRect(index).center())

    assert designer.body_text() == "{{ payload.user.email }}"


def test_raw_preview_equals_body(qtbot, qloop):
    idle_runner = RenderRunner()
    widget = TemplateDesigner(runner=idle_runner, topic=find_topic(ENROLLMENT))
    try:
        _type_at_end(qtbot, widget, " {{ not rendered }}")
        qtbot.waitUntil(lambda: not widget.is_rendering(), timeout=WAIT_MS)

        assert widget.preview.editor.toPlainText() == widget.body_text()
        assert widget.body_text().endswith("{{ not rendered }}")
        assert not widget.body_editor.highlighter.template_tags()
        assert not idle_runner.pool.is_started()
    finally:
        _close(qtbot, widget)


def test_designer_without_default_fill(qtbot, qloop, runner):
    topic = find_topic(ENROLLMENT)
    body = default_body(topic, BodyFormat.JSON)
    widget = TemplateDesigner(runner=runner, topic=topic, fill_default=False)
    try:
        assert widget.body_text() == ""
        assert widget.event_editor.toPlainText() == ""
        assert widget.preview.editor.toPlainText() == ""
        assert not widget.is_rendering()

        widget.load_webhook(Webhook(topic_key=ENROLLMENT, body=body))
        _wait_for_text(qtbot, widget, body)

        assert widget.event_editor.toPlainText() == topic.example_text()
        assert widget.preview.editor.toPlainText() == body
    finally:
        _close(qtbot, widget)


def test_raw_malformed_marked_in_body(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{\n  "a": \n}\n', "")

    problems = designer.problems()
    assert len(problems) == 1
    assert problems[0].site is ProblemSite.BODY
    assert designer.body_editor.problem_at_line(problems[0].line) is not None


def test_template_mode_highlights_tags(qtbot, designer):
    _template_mode(qtbot, designer, "{{ event }}")

    assert designer.body_editor.highlighter.template_tags()
    assert designer.note.isVisible()
    assert "BrainCert documents none" in designer.note.text()


def test_render_for_send_equals_cli(qtbot, designer, capsysbinary, tmp_path):
    from bchook_studio.cli import main

    template = '{"email": {{ payload.user.email }}, "topic": "{{ topic.title }}"}\n'
    _template_mode(qtbot, designer, template)
    path = tmp_path / "t.json"
    path.write_bytes(template.encode())

    result = run_in_loop(qtbot, designer.render_for_send(), WAIT_MS)
    status = main(["render", ENROLLMENT, "--template", str(path)])
    printed = capsysbinary.readouterr().out

    assert status == 0
    assert result.ok
    assert result.text.encode("utf-8") == printed


def test_render_for_send_raw_is_body(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{"a": "{{ x }}"}', "")

    result = run_in_loop(qtbot, designer.render_for_send(), WAIT_MS)

    assert result.text == '{"a": "{{ x }}"}'
    assert result.problems == []


def test_render_for_send_reports_failure(qtbot, designer):
    _template_mode(qtbot, designer, "{{ payload.nope }}")

    result = run_in_loop(qtbot, designer.render_for_send(), WAIT_MS)

    assert result.text is None
    assert result.problems[0].kind is ProblemKind.UNDEFINED


@pytest.mark.parametrize("body_format", list(BodyFormat))
def test_default_template_renders_show_bytes(
    qtbot, designer, capsysbinary, body_format
):
    from bchook_studio.cli import main

    designer.load_webhook(
        Webhook(
            topic_key=ENROLLMENT,
            body_format=body_format,
            body_mode=BodyMode.TEMPLATE,
            body=default_template(body_format),
        )
    )

    result = run_in_loop(qtbot, designer.render_for_send(), WAIT_MS)
    status = main(["show", ENROLLMENT, "--format", body_format.value])
    printed = capsysbinary.readouterr().out

    assert status == 0
    assert result.ok
    assert result.text.encode("utf-8") == printed


def test_copy_rendered_body(qtbot, designer):
    _template_mode(qtbot, designer, '{"name": {{ payload.user.first_name }}}')
    QApplication.clipboard().setText("before")

    result = run_in_loop(qtbot, designer.copy_rendered_body(), WAIT_MS)

    assert result.text == '{"name": "Jane"}'
    assert QApplication.clipboard().text() == result.text


def test_copy_malformed_body_status(qtbot, designer):
    _template_mode(qtbot, designer, '{"a": {{ payload.user.email }}')

    with qtbot.waitSignal(designer.status_message, timeout=WAIT_MS) as blocker:
        run_in_loop(qtbot, designer.copy_rendered_body(), WAIT_MS)

    assert blocker.args[0].endswith("; it is not well-formed JSON.")


def test_copy_deep_body_not_checked(qtbot, designer):
    text = "[" * 1000 + "]" * 1000
    _template_mode(qtbot, designer, text)

    with qtbot.waitSignal(designer.status_message, timeout=WAIT_MS) as blocker:
        result = run_in_loop(qtbot, designer.copy_rendered_body(), WAIT_MS)

    assert QApplication.clipboard().text() == text
    assert result.problems[0].message.startswith("the rendered body is nested")
    assert blocker.args[0].endswith(
        "; its JSON is nested too deeply for Hook Studio to check."
    )
    assert "not well-formed" not in blocker.args[0]
    assert NEUTRAL_COLOUR in designer.preview.status.styleSheet()


def test_deep_event_data_not_read(qtbot, designer):
    designer.set_webhook_body(BodyMode.TEMPLATE, "{{ event }}", "[" * 1000 + "]" * 1000)
    qtbot.waitUntil(lambda: not designer.is_rendering(), timeout=WAIT_MS)

    status = designer.preview.status.text()
    assert "event data is nested too deeply for Hook Studio's JSON parser" in status
    assert "not a valid JSON object" not in status


def test_copy_failed_render_copies_nothing(qtbot, designer):
    _template_mode(qtbot, designer, "{{ payload.nope }}")
    QApplication.clipboard().setText("before")

    with qtbot.waitSignal(designer.status_message, timeout=WAIT_MS) as blocker:
        result = run_in_loop(qtbot, designer.copy_rendered_body(), WAIT_MS)

    assert result.text is None
    assert QApplication.clipboard().text() == "before"
    assert blocker.args[0].startswith("Nothing copied")


def test_mode_switch_converts_example(qtbot, designer):
    example = default_body(find_topic(ENROLLMENT), BodyFormat.JSON)
    assert designer.body_text() == example

    with qtbot.waitSignal(designer.changed, timeout=WAIT_MS):
        designer.set_body_mode(BodyMode.TEMPLATE)
    assert designer.body_text() == default_template(BodyFormat.JSON)

    designer.set_body_mode(BodyMode.RAW)
    assert designer.body_text() == example


def test_typing_emits_changed(qtbot, designer):
    with qtbot.waitSignal(designer.changed, timeout=WAIT_MS):
        _type_at_end(qtbot, designer, " ")


def test_loading_emits_no_changed(qtbot, designer):
    with qtbot.assertNotEmitted(designer.changed):
        designer.set_webhook_body(BodyMode.TEMPLATE, "{{ event }}", "")
        designer.set_topic(find_topic("user.created"))
        designer.set_format(BodyFormat.XML)


def test_format_plan_regenerates_default_template(qtbot, designer):
    _template_mode(qtbot, designer, default_template(BodyFormat.JSON))

    plan = designer.format_switch_plan(BodyFormat.XML)
    assert plan.action is FormatSwitchAction.REGENERATE_TEMPLATE
    assert not plan.needs_answer

    designer.set_format(BodyFormat.XML)
    assert designer.body_text() == default_template(BodyFormat.XML)
    assert designer.body_editor.language() == "xml"
    assert designer.preview.editor.language() == "xml"


def test_format_plan_asks_for_edited_template(qtbot, designer):
    _template_mode(qtbot, designer, '{"a": {{ id }}}')

    plan = designer.format_switch_plan(BodyFormat.XML)
    assert plan.action is FormatSwitchAction.ASK_REPLACE_TEMPLATE
    assert plan.needs_answer
    assert plan.replacement == default_template(BodyFormat.XML)
    assert "edited" in plan.reason

    designer.set_format(BodyFormat.XML, replace=False)
    assert designer.body_text() == '{"a": {{ id }}}'
    assert designer.body_format() is BodyFormat.XML


def test_format_plan_converts_raw_body(qtbot, designer):
    topic = find_topic(ENROLLMENT)

    plan = designer.format_switch_plan(BodyFormat.XML)
    assert plan.action is FormatSwitchAction.CONVERT_BODY

    designer.set_format(BodyFormat.XML)
    assert designer.body_text() == default_body(topic, BodyFormat.XML)
    designer.body_editor.undo()
    assert designer.body_text() == default_body(topic, BodyFormat.JSON)


def test_format_plan_asks_for_malformed_raw(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, "{not json", "")

    plan = designer.format_switch_plan(BodyFormat.XML)

    assert plan.action is FormatSwitchAction.ASK_REPLACE_BODY
    assert plan.replacement == default_body(find_topic(ENROLLMENT), BodyFormat.XML)
    assert "cannot be converted to XML" in plan.reason


def test_topic_switch_keeps_template(qtbot, designer):
    _template_mode(qtbot, designer, "{{ topic.key }}")
    topic = find_topic("sale.new")

    designer.set_topic(topic)
    qtbot.waitUntil(
        lambda: designer.preview.editor.toPlainText() == '"sale.new"',
        timeout=WAIT_MS,
    )

    assert designer.body_text() == "{{ topic.key }}"
    assert designer.event_editor.toPlainText() == topic.example_text()
    designer.event_editor.undo()
    assert designer.event_editor.toPlainText() == find_topic(ENROLLMENT).example_text()


def test_apply_to_webhook(qtbot, designer):
    _template_mode(qtbot, designer, "{{ id }}")

    webhook = designer.apply_to_webhook(Webhook(topic_key=ENROLLMENT))

    assert webhook.body_mode is BodyMode.TEMPLATE
    assert webhook.body == "{{ id }}"
    assert webhook.event_text == ""


def test_side_by_side_moves_preview(qtbot, designer):
    designer.side_by_side_button.click()

    assert designer.is_side_by_side()
    assert designer.tabs.count() == 2
    assert designer.preview.isVisible()

    designer.side_by_side_button.click()
    assert not designer.is_side_by_side()
    assert designer.tabs.count() == 3


def test_problems_changed_signal(qtbot, designer):
    with qtbot.waitSignal(designer.problems_changed, timeout=WAIT_MS) as blocker:
        designer.set_webhook_body(BodyMode.TEMPLATE, "{{ nope }}", "")

    problems = blocker.args[0]
    assert len(problems) == 1
    assert problems[0].kind == ProblemKind.UNDEFINED.value


def test_retranslate_keeps_texts(qtbot, designer):
    _template_mode(qtbot, designer, "{{ id }}")

    designer.retranslate_ui()

    assert designer.copy_button.text() == "Copy rendered body"
    assert designer._problems_title.text() == "Problems: none"
    assert designer.tabs.tabText(BODY_TAB) == "Body"
    assert designer.preview.status.text().startswith("Rendered ")


def test_fields_fill_when_template_mode_shows_them(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{"a": 1}', "")
    assert designer.fields_panel.isHidden()
    assert designer.fields_panel.model.rowCount() == 0

    _template_mode(qtbot, designer, "{{ event | tojson }}")

    assert designer.fields_panel.isVisible()
    assert designer.fields_panel.model.rowCount() > 0
    assert designer.fields_panel.select_expression("payload.user.email")


def test_hidden_fields_panel_answers_about_fields(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{"a": 1}', "")

    assert designer.fields_panel.select_expression("payload.user.email")
    assert designer.fields_panel.current_expression() == "payload.user.email"


def test_completion_list_is_built_on_first_use(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{"a": 1}', "")
    assert designer.body_editor._completer is None

    _template_mode(qtbot, designer, "{{ ")
    model = designer.body_editor.completion_model

    expressions = [
        model.index(row, 0).data(Qt.ItemDataRole.EditRole)
        for row in range(model.rowCount())
    ]
    assert "payload.user.email" in expressions


def test_field_column_fits_tree_shown_late(qtbot, designer):
    designer.set_webhook_body(BodyMode.RAW, '{"a": 1}', "")
    _template_mode(qtbot, designer, "{{ event | tojson }}")
    tree = designer.fields_panel.tree
    qtbot.waitUntil(lambda: tree.columnWidth(0) > 80, timeout=3000)
    shown_width = tree.columnWidth(0)

    designer.fields_panel._fit_field_column()

    assert tree.columnWidth(0) == shown_width


def test_body_text_keeps_line_separator(designer):
    body = '{"note": "line\u2028sep"}'

    designer.body_editor.set_text(body)

    assert designer.body_text() == body


def test_format_round_trip_keeps_paragraph_separator(qtbot, designer):
    body = '{\n  "note": "a\\u2029b"\n}\n'
    designer.set_webhook_body(BodyMode.RAW, body, "")
    replaced = []
    designer.body_editor.paragraph_separators_replaced.connect(replaced.append)

    designer.set_format(BodyFormat.XML)
    xml = designer.body_text()
    designer.set_format(BodyFormat.JSON)

    assert "a&#x2029;b" in xml
    assert json.loads(designer.body_text()) == {"note": "a\u2029b"}
    assert replaced == []
