"""Check reports: JUnit XML read back by junitparser, self-contained HTML, JSON."""

import json
import re
from datetime import UTC, datetime

import lxml.html
import pytest
from junitparser import Error, Failure, JUnitXml
from lxml import etree

from bchook_studio.core.check import (
    CheckPlan,
    CheckResult,
    TopicResult,
    Verdict,
    run_check,
)
from bchook_studio.core.check.reports import html_report, json_report, junit_report
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import HeaderRow, Webhook
from tests.receiver.helpers import run
from tests.servers import RawServer, close_without_answer, respond

PASSWORD = "Canary-Pass-4417"
URL_PASSWORD = "Url-Secret-8812"
QUERY_SECRET = "Query-Secret-5521"
HEADER_SECRET = "Header-Secret-6630"
COOKIE_SECRET = "Cookie-Secret-7749"
HOSTILE_BODY = (
    b"<script>alert('x')</script> ]]> &amp; <!-- \x0c\x1b[31m \x7f"
    b" </pre></details><img src=http://evil.example/x.png> \xff\xfe end"
)
SECRETS = (PASSWORD, URL_PASSWORD, QUERY_SECRET, HEADER_SECRET, COOKIE_SECRET)
TOPIC_KEYS = ("user.created", "course.created", "sale.new")


def hostile_endpoint(conn, request):
    path = request.request_line.split(" ")[1].split("?")[0]
    if path.endswith("/sale.new"):
        respond("500 Internal Server Error", HOSTILE_BODY, {"X-Evil": "<b>bold</b>"})(
            conn, request
        )
    elif path.endswith("/course.created"):
        close_without_answer(conn, request)
    else:
        respond("200 OK", b"fine", {"Set-Cookie": f"session={COOKIE_SECRET}"})(
            conn, request
        )


@pytest.fixture(scope="module")
def mixed_result() -> CheckResult:
    """A finished run with a pass, an error (no response) and a hostile failure."""
    with RawServer(hostile_endpoint) as server:
        base = server.url.replace("http://", f"http://carol:{URL_PASSWORD}@")
        webhook = Webhook(
            url=f"{base}/{{topic}}?token={QUERY_SECRET}",
            secret_query_parameters=("token",),
            auth_enabled=True,
            username="carol",
            password=PASSWORD,
            headers=(HeaderRow("X-Api-Key", HEADER_SECRET, secret=True),),
            timeouts=Timeouts(operation=5.0, total=10.0),
        )
        plan = CheckPlan.from_webhook(
            webhook, topics=tuple(find_topic(key) for key in TOPIC_KEYS)
        )

        async def scenario():
            pool = ClientPool()
            try:
                return await run_check(plan, pool)
            finally:
                await pool.aclose()

        return run(scenario())


def cancelled_result() -> CheckResult:
    topic = find_topic("test.created")
    plan = CheckPlan.from_webhook(
        Webhook(url="http://127.0.0.1:9/h", body_format=BodyFormat.XML),
        topics=(topic,),
    )
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    item = TopicResult(
        topic,
        "http://127.0.0.1:9/h",
        Verdict.CANCELLED,
        "cancelled before it was sent",
        "cancelled",
    )
    return CheckResult(plan, "run-1", moment, moment, (item,), cancelled=True)


def test_mixed_result_verdicts(mixed_result):
    verdicts = [item.verdict for item in mixed_result.results]

    assert verdicts == [Verdict.PASSED, Verdict.ERROR, Verdict.FAILED]


def test_junit_read_back(mixed_result, tmp_path):
    path = tmp_path / "junit.xml"
    path.write_bytes(junit_report(mixed_result))

    suites = list(JUnitXml.fromfile(str(path)))

    assert len(suites) == 1
    suite = suites[0]
    assert suite.name == "bchook-studio check"
    assert suite.tests == 3
    assert suite.failures == 1
    assert suite.errors == 1
    cases = {case.name: case for case in suite}
    assert list(cases) == list(TOPIC_KEYS)
    assert {case.classname for case in cases.values()} == {"json"}
    assert cases["user.created"].result == []
    assert cases["user.created"].is_passed


def test_junit_failure_and_error(mixed_result, tmp_path):
    path = tmp_path / "junit.xml"
    path.write_bytes(junit_report(mixed_result))
    cases = {case.name: case for case in next(iter(JUnitXml.fromfile(str(path))))}

    (failure,) = cases["sale.new"].result
    (error,) = cases["course.created"].result

    assert isinstance(failure, Failure)
    assert failure.type == "status"
    assert failure.message == "status 500, expected 2xx"
    assert "HTTP/1.1 500 Internal Server Error" in failure.text
    assert "<script>" in failure.text
    assert isinstance(error, Error)
    assert error.type == mixed_result.results[1].kind
    assert error.message == mixed_result.results[1].reason


def test_junit_valid_xml_with_hostile_text(mixed_result):
    data = junit_report(mixed_result)

    root = etree.fromstring(data)

    assert root.tag == "testsuites"
    assert b"\x0c" not in data
    assert b"\x1b" not in data


def test_junit_cancelled_is_error(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_bytes(junit_report(cancelled_result()))

    suite = next(iter(JUnitXml.fromfile(str(path))))
    (case,) = list(suite)

    assert case.classname == "xml"
    assert isinstance(case.result[0], Error)
    assert case.result[0].type == "cancelled"
    assert suite.errors == 1
    assert suite.skipped == 0


@pytest.mark.parametrize("writer", [junit_report, html_report, json_report])
def test_reports_mask_secrets(mixed_result, writer):
    text = writer(mixed_result).decode("utf-8")

    for secret in SECRETS:
        assert secret not in text


def test_html_has_no_external_references(mixed_result):
    page = html_report(mixed_result).decode("utf-8")
    document = lxml.html.fromstring(page)

    assert document.xpath("//link") == []
    assert document.xpath("//script") == []
    assert document.xpath("//img") == []
    assert document.xpath("//*[@src]") == []
    hrefs = document.xpath("//@href")
    assert hrefs
    assert all(href.startswith("#") for href in hrefs)
    external = re.compile(r"""<[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""")
    assert external.search(page) is None
    assert "@import" not in page
    assert "url(" not in page


def test_html_escapes_hostile_body(mixed_result):
    page = html_report(mixed_result).decode("utf-8")

    assert "&lt;script&gt;alert(" in page
    assert "<script>" not in page
    assert "&lt;/pre&gt;&lt;/details&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "\x0c" not in page
    assert "\x1b" not in page


def test_html_lists_every_topic(mixed_result):
    document = lxml.html.fromstring(html_report(mixed_result))

    rows = document.xpath("//tbody/tr")
    details = document.xpath("//details")
    open_ids = document.xpath("//details[@open]/@id")

    assert [row.xpath("string(td[1])") for row in rows] == list(TOPIC_KEYS)
    assert len(details) == 3
    assert open_ids == ["topic-course.created", "topic-sale.new"]
    assert "1 of 3 passed · 1 failed · 1 error" in document.xpath("string(//title)")


def test_html_cancelled_note():
    page = html_report(cancelled_result()).decode("utf-8")

    assert "was cancelled" in page
    assert "Nothing was sent" in page


def test_json_report_fields(mixed_result):
    report = json.loads(json_report(mixed_result))

    assert set(report) == {
        "tool",
        "version",
        "run_id",
        "started_at",
        "finished_at",
        "duration_ms",
        "cancelled",
        "url",
        "format",
        "concurrency",
        "pause_ms",
        "expectations",
        "summary",
        "results",
    }
    assert report["tool"] == "bchook-studio"
    assert report["format"] == "json"
    assert report["started_at"].endswith("Z")
    assert report["summary"] == {
        "total": 3,
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "cancelled": 0,
    }
    assert report["expectations"]["status"] == "2xx"
    assert "********" in report["url"]
    assert "{topic}" in report["url"]


def test_json_report_results(mixed_result):
    results = json.loads(json_report(mixed_result))["results"]

    assert [item["topic"] for item in results] == list(TOPIC_KEYS)
    assert set(results[0]) == {
        "topic",
        "title",
        "url",
        "verdict",
        "reason",
        "kind",
        "failed_expectation",
        "status",
        "elapsed_ms",
        "history_id",
    }
    passed, error, failed = results
    assert passed["verdict"] == "passed"
    assert passed["status"] == 200
    assert passed["reason"] == ""
    assert passed["kind"] is None
    assert error["verdict"] == "error"
    assert error["status"] is None
    assert error["kind"] == mixed_result.results[1].kind
    assert failed["failed_expectation"] == "status"
    assert failed["url"].split("?")[0].endswith("/sale.new")
    assert isinstance(failed["elapsed_ms"], float)


def test_json_report_cancelled():
    report = json.loads(json_report(cancelled_result()))

    assert report["cancelled"] is True
    assert report["summary"]["cancelled"] == 1
    assert report["results"][0]["elapsed_ms"] is None
    assert report["started_at"] == "2024-05-01T12:00:00.000Z"
