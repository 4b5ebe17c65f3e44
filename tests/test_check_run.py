"""Check runs against real endpoints on 127.0.0.1: the receiver and picky servers."""

import asyncio
import itertools
import logging
import threading
import time

import pytest

from bchook_studio.core.bodies import default_body
from bchook_studio.core.check import (
    CheckPlan,
    CheckPlanError,
    CheckRunner,
    Expectations,
    RunnerState,
    Verdict,
    parse_field_expectation,
    parse_status_spec,
    run_check,
)
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.receiver import RequiredCredentials, ResponseRule
from bchook_studio.core.topics import all_topics, find_topic
from bchook_studio.core.webhook import (
    BodyMode,
    ReceiverNotRunningError,
    Webhook,
)
from tests.check_server import (
    LIMIT_MS,
    NOT_ROUTED_TOPIC,
    REJECTED_TOPIC,
    SLOW_TOPIC,
    picky_server,
    refused_port,
    slow_server,
)
from tests.receiver.helpers import run, running
from tests.servers import RawServer, respond

SHORT = Timeouts(operation=5.0, total=10.0)


async def check(plan: CheckPlan, **options):
    pool = ClientPool()
    try:
        return await run_check(plan, pool, **options)
    finally:
        await pool.aclose()


def by_key(result):
    return {item.topic.key: item for item in result.results}


@pytest.mark.parametrize("body_format", list(BodyFormat))
def test_receiver_all_topics_pass(body_format):
    rule = ResponseRule(credentials=RequiredCredentials("carol", "pässword"))

    async def scenario():
        async with running(rules=(rule,)) as receiver:
            webhook = Webhook(
                url="receiver:/hooks/{topic}",
                body_format=body_format,
                auth_enabled=True,
                username="carol",
                password="pässword",
                timeouts=SHORT,
            )
            plan = CheckPlan.from_webhook(webhook, receiver_base=receiver.base_url)
            result = await check(plan)
            return result, receiver.log.requests()

    result, requests = run(scenario())

    assert result.passed
    assert result.summary.passed == 24
    assert [item.topic.key for item in result.results] == [
        topic.key for topic in all_topics()
    ]
    assert len(requests) == 24
    arrived = {request.path: request for request in requests}
    for topic in all_topics():
        request = arrived[f"/hooks/{topic.key}"]
        assert request.body == default_body(topic, body_format).encode(), topic.key
        assert request.content_type == body_format.content_type
        credentials = request.basic_credentials()
        assert credentials is not None
        assert (credentials.username, credentials.password) == ("carol", "pässword")


def test_receiver_both_formats_48_requests():
    async def scenario():
        async with running() as receiver:
            for body_format in BodyFormat:
                webhook = Webhook(
                    url="receiver:/in", body_format=body_format, timeouts=SHORT
                )
                plan = CheckPlan.from_webhook(webhook, receiver_base=receiver.base_url)
                result = await check(plan)
                assert result.summary.passed == 24
            return receiver.log.requests()

    requests = run(scenario())

    assert len(requests) == 48
    bodies = {request.body for request in requests}
    for topic in all_topics():
        for body_format in BodyFormat:
            assert default_body(topic, body_format).encode() in bodies


def test_picky_server_fails_exactly_three():
    with picky_server() as server:
        webhook = Webhook(url=server.url + "/{topic}", timeouts=SHORT)
        plan = CheckPlan.from_webhook(
            webhook,
            expectations=Expectations(max_ms=LIMIT_MS),
        )
        result = run(check(plan))

    results = by_key(result)
    failed = {key for key, item in results.items() if item.verdict is Verdict.FAILED}
    assert failed == {REJECTED_TOPIC, NOT_ROUTED_TOPIC, SLOW_TOPIC}
    assert results[REJECTED_TOPIC].reason == "status 500, expected 2xx"
    assert results[NOT_ROUTED_TOPIC].reason == "status 404, expected 2xx"
    assert results[SLOW_TOPIC].reason.startswith("took ")
    assert results[SLOW_TOPIC].reason.endswith(", limit 800 ms")
    assert results[SLOW_TOPIC].failed_expectation.value == "time"
    assert result.summary.passed == 21
    assert result.summary.failed == 3
    assert not result.passed


def test_picky_server_xml_rejects_sale():
    with picky_server() as server:
        webhook = Webhook(
            url=server.url + "/{topic}", body_format=BodyFormat.XML, timeouts=SHORT
        )
        plan = CheckPlan.from_webhook(webhook, topics=(find_topic(REJECTED_TOPIC),))
        result = run(check(plan))

    assert result.results[0].verdict is Verdict.FAILED
    assert result.results[0].status == 500


def test_field_and_body_expectations():
    with picky_server() as server:
        webhook = Webhook(url=server.url + "/{topic}", timeouts=SHORT)
        topics = (find_topic("user.created"), find_topic(REJECTED_TOPIC))
        plan = CheckPlan.from_webhook(
            webhook,
            topics=topics,
            expectations=Expectations(
                body_contains="stored",
                fields=(
                    parse_field_expectation("/data/ok=true"),
                    parse_field_expectation("/data/status=stored"),
                ),
            ),
        )
        result = run(check(plan))

    user, sale = result.results
    assert user.verdict is Verdict.PASSED
    assert sale.verdict is Verdict.FAILED
    assert sale.reason == (
        "status 500, expected 2xx; body does not contain 'stored'; "
        "field /data/ok not checked: the response body is neither JSON nor XML; "
        "field /data/status not checked: the response body is neither JSON nor XML"
    )


def test_field_value_mismatch_reason():
    with picky_server() as server:
        webhook = Webhook(url=server.url, timeouts=SHORT)
        plan = CheckPlan.from_webhook(
            webhook,
            topics=(find_topic("user.created"),),
            expectations=Expectations(
                fields=(
                    parse_field_expectation("/data/ok=false"),
                    parse_field_expectation("/x=1"),
                )
            ),
        )
        result = run(check(plan))

    assert result.results[0].reason == (
        "/data/ok is true, expected false; field /x not found"
    )


def test_status_spec_accepts_404():
    with picky_server() as server:
        webhook = Webhook(url=server.url + "/{topic}", timeouts=SHORT)
        plan = CheckPlan.from_webhook(
            webhook,
            topics=(find_topic(NOT_ROUTED_TOPIC), find_topic("user.created")),
            expectations=Expectations(status=parse_status_spec("200,404")),
        )
        result = run(check(plan))

    assert result.passed


def test_unreachable_port_errors_all():
    with refused_port() as port:
        webhook = Webhook(url=f"http://127.0.0.1:{port}/hook", timeouts=SHORT)
        plan = CheckPlan.from_webhook(webhook)

        result = run(check(plan))

    assert result.summary.errors == 24
    assert {item.kind for item in result.results} == {"refused"}
    assert all(item.reason for item in result.results)
    assert not result.passed


def test_template_error_per_topic():
    template = '{"slug": "{{ payload.slug }}"}'
    with picky_server() as server:
        webhook = Webhook(
            url=server.url,
            body_mode=BodyMode.TEMPLATE,
            body=template,
            timeouts=SHORT,
        )
        topics = (find_topic("course.created"), find_topic("user.created"))
        result = run(check(CheckPlan.from_webhook(webhook, topics=topics)))
        sent = len(server.requests)

    course, user = result.results
    assert course.verdict is Verdict.PASSED
    assert user.verdict is Verdict.ERROR
    assert user.kind == "template"
    assert user.reason.startswith("template:1:")
    assert user.delivery is None
    assert sent == 1


def test_deep_rendered_body_sent():
    template = "[" * 1000 + '"{{ topic.key }}"' + "]" * 1000
    with picky_server() as server:
        webhook = Webhook(
            url=server.url,
            body_mode=BodyMode.TEMPLATE,
            body=template,
            timeouts=SHORT,
        )
        topics = (find_topic("course.created"),)
        result = run(check(CheckPlan.from_webhook(webhook, topics=topics)))
        sent = len(server.requests)

    (course,) = result.results
    assert course.verdict is not Verdict.ERROR
    assert course.delivery is not None
    assert sent == 1


def test_explicit_event_for_every_topic():
    event = {"resource": "custom", "value": 7}

    async def scenario():
        async with running() as receiver:
            webhook = Webhook(url="receiver:/e", timeouts=SHORT)
            plan = CheckPlan.from_webhook(
                webhook,
                receiver_base=receiver.base_url,
                topics=all_topics()[:3],
                event=event,
                template='{"topic": "{{ topic.key }}", "value": {{ value }}}',
            )
            await check(plan)
            return receiver.log.requests()

    requests = run(scenario())

    assert sorted(request.body for request in requests) == [
        b'{"topic": "course.created", "value": 7}',
        b'{"topic": "group.created", "value": 7}',
        b'{"topic": "user.created", "value": 7}',
    ]


def test_raw_webhook_uses_default_template():
    webhook = Webhook(url="http://127.0.0.1:1/", body_mode=BodyMode.RAW, body="{}")

    plan = CheckPlan.from_webhook(webhook)

    assert plan.template is None
    assert plan.render_body(find_topic("sale.new")).text == default_body(
        find_topic("sale.new"), BodyFormat.JSON
    )


def test_receiver_target_without_receiver():
    plan = CheckPlan.from_webhook(Webhook(url="receiver:/x"))
    runner = CheckRunner(plan, ClientPool())

    with pytest.raises(ReceiverNotRunningError):
        run(runner.run())
    assert runner.state is RunnerState.NEW


def test_recorder_gets_run_id_and_ids():
    recorded = []

    def recorder(delivery, topic, run_id):
        recorded.append((topic.key, run_id, delivery.response.status))
        return len(recorded)

    with picky_server() as server:
        webhook = Webhook(url=server.url, timeouts=SHORT)
        plan = CheckPlan.from_webhook(webhook, topics=all_topics()[:5])
        result = run(check(plan, recorder=recorder))

    assert len(recorded) == 5
    assert {run_id for _key, run_id, _status in recorded} == {result.run_id}
    assert sorted(item.history_id for item in result.results) == [1, 2, 3, 4, 5]


def test_recorder_failure_run_continues(caplog):
    async def recorder(delivery, topic, run_id):
        raise OSError("disk full")

    with picky_server() as server:
        webhook = Webhook(url=server.url, timeouts=SHORT)
        plan = CheckPlan.from_webhook(webhook, topics=all_topics()[:2])
        result = run(check(plan, recorder=recorder))

    assert result.summary.passed == 2
    assert all(item.history_id is None for item in result.results)
    assert "recording the delivery" in caplog.text


def test_listener_called_once_per_topic():
    seen = []

    with picky_server() as server:
        webhook = Webhook(url=server.url + "/{topic}", timeouts=SHORT)
        run(check(CheckPlan.from_webhook(webhook), on_result=seen.append))

    assert sorted(item.topic.key for item in seen) == sorted(
        topic.key for topic in all_topics()
    )


def test_concurrency_limit_respected():
    lock = threading.Lock()
    counts = {"now": 0, "peak": 0}

    def behaviour(conn, request):
        with lock:
            counts["now"] += 1
            counts["peak"] = max(counts["peak"], counts["now"])
        time.sleep(0.05)
        with lock:
            counts["now"] -= 1
        respond("200 OK", b"")(conn, request)

    with RawServer(behaviour) as server:
        plan = CheckPlan.from_webhook(
            Webhook(url=server.url, timeouts=SHORT),
            topics=all_topics()[:8],
            concurrency=2,
        )
        result = run(check(plan))

    assert result.summary.passed == 8
    assert counts["peak"] == 2


def test_pause_spaces_starts():
    async def scenario():
        async with running() as receiver:
            plan = CheckPlan.from_webhook(
                Webhook(url="receiver:/p", timeouts=SHORT),
                receiver_base=receiver.base_url,
                topics=all_topics()[:4],
                pause_ms=120,
            )
            await check(plan)
            return receiver.log.requests()

    requests = run(scenario())

    times = sorted(request.time for request in requests)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.1


def test_cancel_stops_the_rest(caplog):
    caplog.set_level(logging.WARNING, logger="asyncio")

    async def scenario(server):
        pool = ClientPool()
        webhook = Webhook(url=server.url, timeouts=SHORT)
        seen = []
        runner = CheckRunner(
            CheckPlan.from_webhook(webhook, concurrency=4),
            pool,
            on_result=seen.append,
        )
        task = asyncio.ensure_future(runner.run())
        while sum(item.verdict is Verdict.PASSED for item in seen) < 2:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        runner.cancel()
        result = await asyncio.wait_for(task, 5)
        await pool.aclose()
        return result, seen

    with slow_server(fast_count=2) as server:
        result, seen = run(scenario(server))
        sent = len(server.requests)

    summary = result.summary
    assert result.cancelled
    assert not result.passed
    assert summary.passed == 2
    assert summary.cancelled == 22
    assert summary.passed + summary.cancelled == 24
    assert len(seen) == 24
    assert sent <= 6
    in_flight = [item for item in result.results if item.delivery is not None]
    assert {item.verdict for item in in_flight} == {Verdict.PASSED, Verdict.CANCELLED}
    assert "Task was destroyed" not in caplog.text
    assert "never retrieved" not in caplog.text


def test_outer_cancel_propagates():
    async def scenario(server):
        pool = ClientPool()
        runner = CheckRunner(
            CheckPlan.from_webhook(Webhook(url=server.url, timeouts=SHORT)), pool
        )
        task = asyncio.ensure_future(runner.run())
        await asyncio.sleep(0.3)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            outcome = "cancelled"
        else:
            outcome = "returned"
        await pool.aclose()
        return outcome, runner.state

    with slow_server(fast_count=0) as server:
        outcome, state = run(scenario(server))

    assert outcome == "cancelled"
    assert state is RunnerState.FINISHED


def test_runner_runs_once():
    async def scenario():
        async with running() as receiver:
            pool = ClientPool()
            plan = CheckPlan.from_webhook(
                Webhook(url="receiver:/o", timeouts=SHORT),
                receiver_base=receiver.base_url,
                topics=all_topics()[:1],
            )
            runner = CheckRunner(plan, pool)
            await runner.run()
            try:
                await runner.run()
            finally:
                await pool.aclose()

    with pytest.raises(RuntimeError, match="runs once"):
        run(scenario())


@pytest.mark.parametrize(
    "changes",
    [{"topics": ()}, {"concurrency": 0}, {"concurrency": 65}, {"pause_ms": -1}],
)
def test_plan_invalid_values(changes):
    with pytest.raises(CheckPlanError):
        CheckPlan.from_webhook(Webhook(url="http://127.0.0.1:1/"), **changes)


def test_plan_topic_url_and_mask():
    webhook = Webhook(
        url="http://carol:s3cret@127.0.0.1:1/h/{topic}?key=abc&x=1",
        secret_query_parameters=("key",),
    )
    plan = CheckPlan.from_webhook(webhook)

    assert plan.topic_url(find_topic("sale.new")).endswith("/h/sale.new?key=abc&x=1")
    assert "s3cret" not in plan.masked_url()
    assert "abc" not in plan.masked_url()
    assert "{topic}" in plan.masked_url()
