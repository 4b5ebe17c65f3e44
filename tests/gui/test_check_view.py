"""The check view on the qasync loop: live table, cancel, summary, reports."""

import json
import os

import pytest
from PySide6.QtCore import Qt

from bchook_studio.core.check import CheckPlan, Expectations, Verdict
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.topics import all_topics, find_topic
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui.check_view import VERDICT_COLOURS, CheckTableModel, CheckView
from tests.check_server import LIMIT_MS, picky_endpoint, slow_server
from tests.gui.conftest import run_in_loop
from tests.servers import RawServer, close_without_answer

WAIT_MS = 30_000
SHORT = Timeouts(operation=5.0, total=10.0)
DROPPED_TOPIC = "user.deleted"


def mixed_endpoint(conn, request):
    """The picky endpoint, plus a dropped connection for one topic (an error)."""
    if request.request_line.split(" ")[1].endswith("/" + DROPPED_TOPIC):
        close_without_answer(conn, request)
    else:
        picky_endpoint(conn, request)


@pytest.fixture
def client_pool(qtbot, qloop):
    pool = ClientPool()
    yield pool
    run_in_loop(qtbot, pool.aclose())


@pytest.fixture
def view(qtbot, client_pool):
    widget = CheckView(client_pool)
    qtbot.addWidget(widget)
    widget.resize(1000, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    run_in_loop(qtbot, widget.aclose())


def plan_for(url: str, **changes) -> CheckPlan:
    return CheckPlan.from_webhook(Webhook(url=url, timeouts=SHORT), **changes)


def test_run_fills_table(qtbot, view):
    finished = []
    view.topic_finished.connect(finished.append)
    with RawServer(mixed_endpoint) as server:
        plan = plan_for(
            server.url + "/{topic}", expectations=Expectations(max_ms=LIMIT_MS)
        )
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS) as blocker:
            assert view.start(plan)
            assert view.is_running()

    result = blocker.args[0]
    model = view.model
    assert len(finished) == 24
    assert model.rowCount() == 24
    assert all(model.result_at(row) is not None for row in range(24))
    assert result.summary.passed == 20
    assert result.summary.failed == 3
    assert result.summary.errors == 1
    assert view._summary.text() == "20 of 24 passed · 3 failed · 1 error"
    assert view._progress.value() == 24
    assert not view.is_running()


def test_table_shows_verdicts(qtbot, view):
    with RawServer(mixed_endpoint) as server:
        plan = plan_for(
            server.url + "/{topic}",
            topics=(find_topic("sale.new"), find_topic(DROPPED_TOPIC)),
        )
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)

    model = view.model
    sale = model.index(0, CheckTableModel.VERDICT)
    dropped_reason = model.index(1, CheckTableModel.REASON)
    assert model.data(model.index(0, CheckTableModel.STATUS)) == "500"
    assert model.data(sale) == "failed"
    colour = model.data(sale, Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == VERDICT_COLOURS[Verdict.FAILED]
    assert model.data(model.index(1, CheckTableModel.VERDICT)) == "error"
    assert model.data(dropped_reason).startswith(f"{model.result_at(1).kind}: ")
    assert model.data(model.index(0, CheckTableModel.TIME)).endswith(" ms")


def test_cancel_stops_run(qtbot, view):
    with slow_server(fast_count=2) as server:
        view.set_plan(plan_for(server.url))
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS) as blocker:
            assert view.start()
            qtbot.waitUntil(lambda: view._progress.value() >= 2, timeout=WAIT_MS)
            assert view._cancel_button.isEnabled()
            qtbot.mouseClick(view._cancel_button, Qt.MouseButton.LeftButton)

    result = blocker.args[0]
    assert result.cancelled
    assert result.summary.passed == 2
    assert result.summary.cancelled == 22
    assert view._summary.text() == "2 of 24 passed · 22 cancelled"
    assert not view._cancel_button.isEnabled()
    assert view._run_button.isEnabled()
    assert view.model.data(view.model.index(23, CheckTableModel.VERDICT)) == (
        "cancelled"
    )


def test_invalid_inputs_block_run(qtbot, view):
    view.set_plan(plan_for("http://127.0.0.1:1/"))

    view._status_edit.setText("2xx,abc")

    assert view._validation.isVisible()
    assert "'abc'" in view._validation.text()
    assert not view._run_button.isEnabled()
    assert view.start() is False
    assert not view.is_running()


def test_invalid_field_named(qtbot, view):
    view.set_plan(plan_for("http://127.0.0.1:1/"))

    view._fields.setPlainText("/data/ok=true\n/data/missing-equals")

    assert "'/data/missing-equals'" in view._validation.text()
    view._fields.setPlainText("/data/ok=true")
    assert not view._validation.isVisible()
    assert view._run_button.isEnabled()


def test_inputs_become_expectations(qtbot, view):
    view.set_plan(plan_for("http://127.0.0.1:1/"))
    view._status_edit.setText("200-204,404")
    view._max_ms.setValue(1500)
    view._body_contains.setText("ok")
    view._fields.setPlainText("/a=1\n\n//b=2\n")

    expectations = view.expectations()

    assert expectations.status.text == "200-204,404"
    assert expectations.max_ms == 1500
    assert expectations.body_contains == "ok"
    assert [field.text for field in expectations.fields] == ["/a=1", "//b=2"]


def test_receiver_target_stopped(qtbot, view):
    plan = plan_for("receiver:/webhook")

    assert view.start(plan) is False

    assert "receiver" in view._message.text()
    assert not view.is_running()


def test_row_selection_emits_delivery(qtbot, view):
    with RawServer(picky_endpoint) as server:
        plan = plan_for(server.url, topics=all_topics()[:2])
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)

    with qtbot.waitSignal(view.delivery_chosen, timeout=WAIT_MS) as blocker:
        view._table.selectRow(1)

    chosen = blocker.args[0]
    assert isinstance(chosen, DeliveryResult)
    assert chosen is view.model.result_at(1).delivery


def test_recorder_gets_each_delivery(qtbot, view):
    recorded = []
    view.set_recorder(lambda delivery, topic, run_id: recorded.append(topic.key))
    with RawServer(picky_endpoint) as server:
        plan = plan_for(server.url, topics=all_topics()[:3])
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)

    assert sorted(recorded) == sorted(topic.key for topic in all_topics()[:3])


def test_save_report(qtbot, view, tmp_path):
    with RawServer(picky_endpoint) as server:
        plan = plan_for(server.url, topics=all_topics()[:3])
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)
    assert view._save_buttons["json"].isEnabled()
    path = tmp_path / "report.json"

    saved = run_in_loop(qtbot, view.save_report("json", path))

    assert saved
    assert json.loads(path.read_text(encoding="utf-8"))["summary"]["passed"] == 3
    assert str(path) in view._message.text()


def test_save_report_bad_folder(qtbot, view, tmp_path):
    with RawServer(picky_endpoint) as server:
        plan = plan_for(server.url, topics=all_topics()[:1])
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)

    saved = run_in_loop(
        qtbot, view.save_report("html", tmp_path / "missing" / "r.html")
    )

    assert not saved
    assert "Could not save" in view._message.text()


def test_screenshot_mixed_run(qtbot, view, tmp_path):
    """Grab the view after a mixed run; set CHECK_SCREENSHOT to keep the image."""
    with RawServer(mixed_endpoint) as server:
        plan = plan_for(
            server.url + "/{topic}", expectations=Expectations(max_ms=LIMIT_MS)
        )
        with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
            view.start(plan)

    image = view.grab()

    assert image.save(os.environ.get("CHECK_SCREENSHOT", str(tmp_path / "c.png")))
    assert image.width() > 0
