"""The designer's models and helpers, without a designer widget."""

import pytest
from PySide6.QtCore import QModelIndex, Qt

from bchook_studio.core.formats import BodyFormat, JsonNumber
from bchook_studio.core.templates import (
    ProblemKind,
    TemplateProblem,
    default_template,
    parse_event,
)
from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import BodyMode
from bchook_studio.gui.designer.completion import (
    FieldCompletionModel,
    closes_placeholder,
    completion_entries,
    placeholder_prefix,
)
from bchook_studio.gui.designer.event_tree import EventTreeModel
from bchook_studio.gui.designer.format_switch import (
    FormatSwitchAction,
    plan_format_switch,
)
from bchook_studio.gui.designer.problem_list import (
    DesignerProblem,
    ProblemListModel,
    ProblemSite,
)
from bchook_studio.gui.designer.values import describe_value, json_type

ENROLLMENT = find_topic("course.enrollment")


@pytest.mark.parametrize(
    ("before", "prefix"),
    [
        ("{{ ", ""),
        ("{{ payload.", "payload."),
        ("{{payload.us", "payload.us"),
        ("{{- payload.user", "payload.user"),
        ('"a": {{ payload.items[0].na', "payload.items[0].na"),
        ("{{ a }} {{ b", "b"),
    ],
)
def test_prefix_inside_placeholder(before, prefix):
    assert placeholder_prefix(before) == prefix


@pytest.mark.parametrize(
    "before",
    [
        "",
        "{{",
        "payload.",
        "{{ a }}",
        "{{ a }} ",
        "{{ 9**(9",
        "{{ name | up",
        "{{ name ",
        "{% if payload.",
    ],
)
def test_no_prefix_outside_path(before):
    assert placeholder_prefix(before) is None


def test_closes_placeholder():
    assert closes_placeholder(" }}, ")
    assert closes_placeholder("}}")
    assert not closes_placeholder(", ")
    assert not closes_placeholder(" {{ x }}")


def test_completion_entries_fields_then_helpers():
    event = parse_event(ENROLLMENT.example_text())

    entries = completion_entries(event, ENROLLMENT)

    expressions = [entry.expression for entry in entries]
    examples = {entry.expression: entry.example for entry in entries}
    assert expressions[0] == "id"
    assert expressions.index("payload.user.email") < expressions.index("event")
    assert examples["payload.user.email"] == '"jane.doe@example.com"'
    assert examples["payload.course.id"] == "101"
    assert examples["topic.title"] == '"Course Enrollment"'
    assert "studio.raw(text)" not in expressions
    assert expressions[-3:] == [
        "studio.now_iso()",
        "studio.now_unix()",
        "studio.uuid()",
    ]


def test_completion_model_roles():
    model = FieldCompletionModel()
    event = parse_event(ENROLLMENT.example_text())
    model.set_entries(completion_entries(event, ENROLLMENT))

    index = model.index(0, 0)

    assert model.rowCount() == len(completion_entries(event, ENROLLMENT))
    assert index.data(Qt.ItemDataRole.EditRole) == "id"
    assert index.data() == 'id — "20240126171756020665195"'
    assert index.data(FieldCompletionModel.ExampleRole) == '"20240126171756020665195"'


def test_tree_model_top_level_rows():
    model = EventTreeModel()
    model.set_event(parse_event(ENROLLMENT.example_text()))

    keys = [model.index(row, 0).data() for row in range(model.rowCount())]

    assert keys == ["id", "resource", "action", "tenant_id", "created_at", "payload"]
    assert model.columnCount() == 3


def test_tree_model_nested_expression():
    model = EventTreeModel()
    model.set_event(parse_event(ENROLLMENT.example_text()))
    payload = model.index(5, 0)
    user = _child(model, payload, "user")
    email = _child(model, user, "email")

    assert model.expression(email) == "payload.user.email"
    assert model.index(email.row(), 1, user).data() == '"jane.doe@example.com"'
    assert model.index(email.row(), 2, user).data() == "string"
    assert model.parent(email) == user
    assert model.parent(payload) == QModelIndex()


def test_tree_model_lists_and_odd_keys():
    model = EventTreeModel()
    model.set_event(
        {"items": [{"name": "a"}], "first name": "Ann", "topic": "x", "n": None}
    )
    items = model.index(0, 0)
    first = model.index(0, 0, items)

    assert first.data() == "[0]"
    assert model.expression(first) == "items[0]"
    assert model.expression(model.index(0, 0, first)) == "items[0].name"
    assert model.expression(model.index(1, 0)) == 'event["first name"]'
    assert model.expression(model.index(2, 0)) == "event.topic"
    assert model.index(3, 1).data() == "null"
    assert model.rowCount(model.index(3, 0)) == 0


def test_tree_model_reset_on_new_event():
    model = EventTreeModel()
    model.set_event({"a": 1})
    model.set_event({"b": 2, "c": 3})

    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "b"


def test_problem_model_columns():
    model = ProblemListModel()
    model.set_problems(
        [
            DesignerProblem.from_template(
                TemplateProblem(ProblemKind.UNDEFINED, "x is not defined", 3, 7)
            ),
            DesignerProblem.from_template(
                TemplateProblem(ProblemKind.MALFORMED_BODY, "not well-formed", 2, 1)
            ),
            DesignerProblem(ProblemSite.EVENT, "event_data", "bad JSON", 4, None),
        ]
    )

    assert model.rowCount() == 3
    assert model.index(0, 0).data() == "Undefined"
    assert model.index(0, 1).data() == "3:7"
    assert model.index(0, 2).data() == "x is not defined"
    assert model.index(1, 1).data() == "2:1 in rendered body"
    assert model.index(2, 0).data() == "Event data"
    assert model.index(2, 1).data() == "4 in event data"


def test_problem_from_template_site():
    body = DesignerProblem.from_template(
        TemplateProblem(ProblemKind.MALFORMED_BODY, "m", 1, 1)
    )
    template = DesignerProblem.from_template(TemplateProblem(ProblemKind.SYNTAX, "s"))

    assert body.site is ProblemSite.RENDERED
    assert template.site is ProblemSite.BODY
    assert template.location() == ""


@pytest.mark.parametrize(
    ("value", "text", "type_name"),
    [
        ("a", '"a"', "string"),
        (JsonNumber("1e2"), "1e2", "number"),
        (7, "7", "number"),
        (True, "true", "boolean"),
        (None, "null", "null"),
        ({"a": 1}, "{1 field}", "object"),
        ([1, 2], "[2 items]", "array"),
    ],
)
def test_describe_value(value, text, type_name):
    assert describe_value(value) == text
    assert json_type(value) == type_name


def test_describe_value_cut():
    described = describe_value("x" * 100, 20)

    assert len(described) == 20
    assert described.endswith("…")


def test_plan_same_format_is_none():
    plan = plan_format_switch(
        BodyMode.RAW, "{}", BodyFormat.JSON, BodyFormat.JSON, {}, ""
    )

    assert plan.action is FormatSwitchAction.NONE
    assert plan.replacement is None


def test_plan_raw_malformed_uses_event_data():
    event = {"a": "b"}

    plan = plan_format_switch(
        BodyMode.RAW, "{", BodyFormat.JSON, BodyFormat.XML, event, "<example/>"
    )

    assert plan.action is FormatSwitchAction.ASK_REPLACE_BODY
    assert plan.replacement is not None
    assert "<a>b</a>" in plan.replacement


def test_plan_raw_without_event_uses_example():
    plan = plan_format_switch(
        BodyMode.RAW, "{", BodyFormat.JSON, BodyFormat.XML, None, "<example/>"
    )

    assert plan.replacement == "<example/>"


def test_plan_default_template_with_final_spaces():
    text = default_template(BodyFormat.XML) + "\n\n"

    plan = plan_format_switch(
        BodyMode.TEMPLATE, text, BodyFormat.XML, BodyFormat.JSON, {}, ""
    )

    assert plan.action is FormatSwitchAction.REGENERATE_TEMPLATE
    assert plan.replacement == default_template(BodyFormat.JSON)


def _child(model: EventTreeModel, parent: QModelIndex, key: str) -> QModelIndex:
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == key:
            return index
    raise AssertionError(f"no child {key!r}")
