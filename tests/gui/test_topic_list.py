"""The topic list: grouped topics, a filter on titles and keys, keyboard moves."""

import pytest
from PySide6.QtCore import Qt

from bchook_studio.gui.topic_list import TopicList


@pytest.fixture
def topic_list(qtbot):
    widget = TopicList()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_all_topics_listed(topic_list):
    assert len(topic_list.visible_topic_keys()) == 24


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Course Completed", ["course.completed"]),
        ("user created", ["user.created"]),
        ("sale.new", ["sale.new"]),
        ("  NEW SALE ", ["sale.new"]),
    ],
)
def test_filter_by_title_or_key(topic_list, text, expected):
    topic_list.filter_box.setText(text)

    assert topic_list.visible_topic_keys() == expected


def test_no_match_says_so(topic_list):
    topic_list.filter_box.setText("nothing like this")

    assert topic_list.visible_topic_keys() == []
    assert topic_list._no_match.isVisible()


def test_down_picks_first_match(qtbot, topic_list):
    chosen = []
    topic_list.topic_chosen.connect(chosen.append)
    topic_list.filter_box.setText("enrollment")

    qtbot.keyClick(topic_list.filter_box, Qt.Key.Key_Down)

    assert chosen == ["course.enrollment"]
