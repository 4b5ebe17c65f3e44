"""Response rules: matching, status and delay, credentials, faults, storage."""

import asyncio
import json
import time

import httpx
import pytest

from bchook_studio.core.receiver import (
    DEFAULT_RULE,
    Fault,
    RequiredCredentials,
    ResponseRule,
)
from tests.receiver.helpers import client, run, running, wait_for_requests


def test_rule_status_headers_and_body():
    rule = ResponseRule(
        status=202,
        headers=(("Content-Type", "application/json"), ("X-Id", "Jürgen")),
        body=b'{"ok": true}',
        name="accepted",
    )

    async def scenario():
        async with running(rules=(rule,)) as receiver, client() as http:
            response = await http.post(f"{receiver.base_url}/", content=b"x")
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status_code == 202
    assert response.content == b'{"ok": true}'
    assert response.headers["content-type"] == "application/json"
    assert response.headers.raw[1] == (b"X-Id", "Jürgen".encode())
    assert recorded.status == 202
    assert recorded.rule_name == "accepted"


def test_rule_delay_waits():
    rule = ResponseRule(delay_ms=300)

    async def scenario():
        async with running(rules=(rule,)) as receiver, client() as http:
            started = time.perf_counter()
            response = await http.post(receiver.base_url, content=b"x")
            return response, time.perf_counter() - started

    response, elapsed = run(scenario())

    assert response.status_code == 200
    assert elapsed >= 0.3


def test_first_matching_rule_wins():
    rules = (
        ResponseRule(path_prefix="/a", status=201),
        ResponseRule(path_prefix="/ab", status=202),
        ResponseRule(path_prefix="/b", status=203),
        ResponseRule(path_prefix="/only-this", status=418),
    )
    paths = ["/a", "/abc", "/b?x=1", "/c", "/", "/only-this"]

    async def scenario():
        async with running(rules=rules) as receiver, client() as http:
            statuses = []
            for path in paths:
                response = await http.get(receiver.base_url + path)
                statuses.append(response.status_code)
            return statuses, [r.rule_index for r in receiver.log.requests()]

    statuses, indexes = run(scenario())

    assert statuses == [201, 201, 203, 418, 418, 418]
    assert indexes == [3, 3, 3, 2, 0, 0]


def test_rules_replaced_while_running():
    async def scenario():
        async with running() as receiver, client() as http:
            before = await http.get(receiver.base_url)
            receiver.set_rules([ResponseRule(status=503)])
            after = await http.get(receiver.base_url)
            receiver.set_rules([])
            restored = await http.get(receiver.base_url)
            return before, after, restored, receiver.rules

    before, after, restored, rules = run(scenario())

    assert before.status_code == 200
    assert after.status_code == 503
    assert restored.status_code == 200
    assert rules == (DEFAULT_RULE,)


def guarded_rule() -> ResponseRule:
    return ResponseRule(
        status=201, credentials=RequiredCredentials("Сергей", "пароль"), delay_ms=0
    )


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (("Сергей", "пароль"), 201),
        (("Сергей", "wrong"), 401),
        (("someone", "пароль"), 401),
        (None, 401),
    ],
)
def test_required_credentials(auth, expected):
    async def scenario():
        async with running(rules=(guarded_rule(),)) as receiver, client() as http:
            response = await http.post(receiver.base_url, content=b"{}", auth=auth)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status_code == expected
    assert recorded.status == expected
    assert recorded.body == b"{}"
    if expected == 401:
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Basic realm="Hook Studio"')


def test_fault_hang_fires_read_timeout():
    rule = ResponseRule(fault=Fault.HANG)

    async def scenario():
        async with running(rules=(rule,)) as receiver:
            async with client(timeout=httpx.Timeout(5.0, read=0.5)) as http:
                with pytest.raises(httpx.ReadTimeout):
                    await http.post(receiver.base_url, content=b"x")
            return receiver.log.requests()[0]

    recorded = run(scenario())

    assert recorded.status is None
    assert recorded.fault is Fault.HANG
    assert recorded.body == b"x"


def test_fault_drop_closes_without_answer():
    rule = ResponseRule(fault=Fault.DROP)

    async def scenario():
        async with running(rules=(rule,)) as receiver, client() as http:
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await http.post(receiver.base_url, content=b"x")
            return caught.value, receiver.log.requests()[0]

    error, recorded = run(scenario())

    assert "without sending a response" in str(error)
    assert recorded.status is None
    assert recorded.fault is Fault.DROP


def test_fault_drop_after_delay():
    rule = ResponseRule(fault=Fault.DROP, delay_ms=200)

    async def scenario():
        async with running(rules=(rule,)) as receiver, client() as http:
            started = time.perf_counter()
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post(receiver.base_url, content=b"x")
            return time.perf_counter() - started

    elapsed = run(scenario())

    assert elapsed >= 0.2


def test_fault_slow_arrives_complete_but_late():
    body = b"0123456789"
    rule = ResponseRule(fault=Fault.SLOW, body=body, slow_interval_ms=20)

    async def scenario():
        async with running(rules=(rule,)) as receiver, client() as http:
            started = time.perf_counter()
            response = await http.post(receiver.base_url, content=b"x")
            return response, time.perf_counter() - started

    response, elapsed = run(scenario())

    assert response.status_code == 200
    assert response.content == body
    assert elapsed >= len(body) * 0.020


def test_hang_does_not_block_other_clients():
    rules = (ResponseRule(path_prefix="/hang", fault=Fault.HANG), ResponseRule())

    async def scenario():
        async with running(rules=rules) as receiver, client() as http:
            hung = asyncio.create_task(http.post(f"{receiver.base_url}/hang"))
            await wait_for_requests(receiver, 1)
            async with client() as other:
                response = await other.get(f"{receiver.base_url}/ok")
            hung.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hung
            return response

    response = run(scenario())

    assert response.status_code == 200


def test_rule_dict_round_trip():
    rule = ResponseRule(
        path_prefix="/hook",
        status=500,
        delay_ms=25,
        headers=(("X-A", "1"), ("X-A", "2")),
        body=b"\xff\x00binary",
        credentials=RequiredCredentials("carol", "s3cret"),
        fault=Fault.SLOW,
        slow_interval_ms=10,
        name="broken",
    )

    data = json.loads(json.dumps(rule.to_dict()))
    restored = ResponseRule.from_dict(data)

    assert restored == rule
    assert restored.credentials.password == "s3cret"
    assert "body" not in data
    assert data["fault"] == "slow"


def test_rule_dict_text_body():
    data = ResponseRule(body='{"ok": "é"}'.encode()).to_dict()

    assert data["body"] == '{"ok": "é"}'
    assert ResponseRule.from_dict(data).body == '{"ok": "é"}'.encode()


def test_rule_dict_defaults():
    assert ResponseRule.from_dict({}) == ResponseRule()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"status": "200"}, "'status'"),
        ({"delay_ms": True}, "'delay_ms'"),
        ({"headers": [["X-A"]]}, "['X-A']"),
        ({"credentials": "carol"}, "'credentials'"),
        ({"fault": "explode"}, "explode"),
        ({"body_base64": "***"}, "'body_base64'"),
    ],
)
def test_rule_dict_invalid_value(data, named):
    with pytest.raises(ValueError) as caught:
        ResponseRule.from_dict(data)

    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"status": 99}, "99"),
        ({"status": 600}, "600"),
        ({"path_prefix": "hook"}, "'hook'"),
        ({"delay_ms": -1}, "-1"),
        ({"headers": (("Bad Name", "x"),)}, "'Bad Name'"),
        ({"headers": (("Content-Length", "3"),)}, "'Content-Length'"),
        ({"headers": (("X-A", "a\r\nb"),)}, "'X-A'"),
        ({"headers": (("X-A", "a\x01b"),)}, "U+0001"),
        ({"headers": (("X-A", "a\x7f"),)}, "U+007F"),
    ],
)
def test_rule_invalid_setting(options, named):
    with pytest.raises(ValueError) as caught:
        ResponseRule(**options)

    assert named in str(caught.value)


def test_rule_header_keeps_next_line():
    rule = ResponseRule(headers=(("X-A", " a\x85 "),))

    assert rule.headers == (("X-A", "a\x85"),)


def test_credentials_reject_colon_in_username():
    with pytest.raises(ValueError) as caught:
        RequiredCredentials("a:b", "pw")

    assert "'a:b'" in str(caught.value)


def test_credentials_hidden_from_repr():
    rule = ResponseRule(credentials=RequiredCredentials("carol", "s3cret"))

    assert "s3cret" not in repr(rule)


@pytest.mark.parametrize(
    "rule",
    [
        ResponseRule(delay_ms=400),
        ResponseRule(fault=Fault.SLOW, body=b"x" * 50, slow_interval_ms=40),
    ],
    ids=["delay", "slow"],
)
def test_response_client_gave_up_on_has_no_status(rule):
    async def scenario():
        async with running(rules=(rule,)) as receiver:
            async with client() as http:
                # The client gives up after 0.3 s and closes its connection.
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(
                        http.post(receiver.base_url, content=b"x"), 0.3
                    )
            reader = receiver.log.reader()
            deadline = time.monotonic() + 5
            while receiver.log.requests()[0].status is not None:
                assert time.monotonic() < deadline, "the status stayed set"
                await asyncio.sleep(0.05)
            return receiver.log.requests()[0], reader.take_changed()

    recorded, changed = run(scenario())

    assert recorded.status is None
    assert [request.id for request in changed] == [recorded.id]
