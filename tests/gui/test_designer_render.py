"""Designer renders off the GUI thread: runaway templates, newest wins, backstop."""

import multiprocessing
import os
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.templates import ProblemKind, RenderLimits, parse_event
from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import BodyMode
from bchook_studio.gui.designer import RenderRunner, TemplateDesigner
from tests.gui.conftest import run_in_loop

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
ENROLLMENT = "course.enrollment"
NESTED_LOOPS = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
)
MAX_STALL_SECONDS = 0.5
"""A generous bound on one event-loop stall while a render runs elsewhere."""


class Heartbeat:
    """A 10 ms timer that records the longest gap between two of its ticks."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def __enter__(self) -> "Heartbeat":
        self._last = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


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
    widget.set_webhook_body(BodyMode.TEMPLATE, "", "")
    qtbot.waitUntil(lambda: not widget.is_rendering(), timeout=WAIT_MS)
    yield widget
    _close(qtbot, widget)


def _type(qtbot, designer: TemplateDesigner, text: str) -> None:
    editor = designer.body_editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, text)


def _has_problem(designer: TemplateDesigner, kind: ProblemKind) -> bool:
    result = designer.last_result()
    return result is not None and any(item.kind is kind for item in result.problems)


def test_half_typed_power_shows_limit(qtbot, designer):
    _type(qtbot, designer, "{{ 9**(9**9")
    qtbot.waitUntil(lambda: _has_problem(designer, ProblemKind.SYNTAX), timeout=WAIT_MS)

    started = time.perf_counter()
    with Heartbeat() as heartbeat:
        _type(qtbot, designer, ") }}")
        qtbot.waitUntil(
            lambda: _has_problem(designer, ProblemKind.LIMIT), timeout=WAIT_MS
        )

    assert time.perf_counter() - started < 5
    assert heartbeat.longest < MAX_STALL_SECONDS
    assert designer.body_text() == "{{ 9**(9**9) }}"
    assert "bits" in designer.preview.status.text()


def test_runaway_loop_keeps_editor_responsive(qtbot, designer):
    with Heartbeat() as heartbeat:
        designer.body_editor.insertPlainText(NESTED_LOOPS)
        qtbot.wait(400)
        typed_at = time.perf_counter()
        _type(qtbot, designer, "x")
        typed_in = time.perf_counter() - typed_at
        qtbot.waitUntil(
            lambda: _has_problem(designer, ProblemKind.LIMIT), timeout=WAIT_MS
        )

    result = designer.last_result()
    assert result is not None
    assert "longer than 2 s" in result.problems[0].message
    assert designer.body_text() == NESTED_LOOPS + "x"
    assert typed_in < MAX_STALL_SECONDS
    assert heartbeat.longest < MAX_STALL_SECONDS


def test_newest_render_wins(qtbot, designer):
    results = []
    designer.preview_updated.connect(results.append)

    designer.body_editor.insertPlainText(NESTED_LOOPS)
    qtbot.wait(400)
    designer.body_editor.selectAll()
    designer.body_editor.insertPlainText("{{ payload.user.first_name }}")
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not designer.is_rendering(), timeout=WAIT_MS)

    assert len(results) == 1
    assert results[0].text == '"Jane"'
    assert designer.preview.editor.toPlainText() == '"Jane"'


def test_backstop_kills_stuck_render(qtbot, qloop):
    # Integers this large pass the raised guard, and one C-level power call
    # cannot be interrupted by the time limit, so only the backstop ends it.
    limits = RenderLimits(time_limit=0.5, max_integer_bits=2**40)
    stuck_runner = RenderRunner(limits=limits)
    topic = find_topic(ENROLLMENT)
    event = parse_event(topic.example_text())
    try:
        warm = run_in_loop(
            qtbot,
            stuck_runner.render("{{ id }}", event, BodyFormat.JSON, topic),
            WAIT_MS,
        )
        worker_pid = run_in_loop(qtbot, stuck_runner.pool.run(os.getpid), WAIT_MS)

        started = time.perf_counter()
        stuck = run_in_loop(
            qtbot,
            stuck_runner.render("{{ 9**(9**9) }}", event, BodyFormat.JSON, topic),
            WAIT_MS,
        )
        elapsed = time.perf_counter() - started
        again = run_in_loop(
            qtbot,
            stuck_runner.render("{{ id }}", event, BodyFormat.JSON, topic),
            WAIT_MS,
        )
    finally:
        stuck_runner.pool.shutdown()

    assert warm.ok
    assert stuck.text is None
    assert stuck.problems[0].kind is ProblemKind.LIMIT
    assert "returned no result within 1.5 s" in stuck.problems[0].message
    assert elapsed < 5
    assert not _alive(worker_pid)
    assert again.text == '"20240126171756020665195"'


def _alive(pid: int) -> bool:
    return pid in {child.pid for child in multiprocessing.active_children()}


def test_large_raw_body_checked_in_worker(qtbot, designer, runner):
    lines = [f'  "field_{index}": "{"x" * 40}",' for index in range(4000)]
    body = "{\n" + "\n".join(lines) + "\n}\n"

    designer.set_webhook_body(BodyMode.RAW, body, "")
    qtbot.waitUntil(lambda: not designer.is_rendering(), timeout=WAIT_MS)

    problems = designer.problems()
    assert len(body) > 128 * 1024
    assert runner.pool.is_started()
    assert len(problems) == 1
    assert problems[0].line == 4002
    assert designer.preview.editor.toPlainText() == body
