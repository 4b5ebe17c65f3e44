"""The JUnit XML report of a check run, for CI systems.

One `<testsuite>` inside `<testsuites>`, one `<testcase>` per topic named by
its key, with the body format as the class name. A failed expectation is a
`<failure>` whose type names the expectation (`status`, `time`, `body`,
`field`). A response that never came is an `<error>` whose type is the
failure kind. A topic that a cancelled run never checked is an `<error>` of
type `cancelled`, not `<skipped>`: a CI system counts skipped tests as passing,
and a cancelled run proved nothing. Every text passes through `safe_text`, so
hostile response bodies still give valid XML.
"""

from lxml import etree

from bchook_studio import __version__
from bchook_studio.core.check.reports.common import (
    TOOL_NAME,
    body_excerpt,
    request_headers,
    response_headers,
    safe_text,
)
from bchook_studio.core.check.results import CheckResult, TopicResult, Verdict

SUITE_NAME = f"{TOOL_NAME} check"
BODY_EXCERPT_CHARS = 2048
"""Characters of the response body shown in a failure or error element."""


def junit_report(check: CheckResult) -> bytes:
    """Return the JUnit XML report as UTF-8 bytes with an XML declaration."""
    summary = check.summary
    counts = {
        "tests": str(summary.total),
        "failures": str(summary.failed),
        "errors": str(summary.errors + summary.cancelled),
        "skipped": "0",
        "time": _seconds(check.duration_ms),
    }
    root = etree.Element("testsuites", name=SUITE_NAME, **counts)
    suite = etree.SubElement(
        root,
        "testsuite",
        name=SUITE_NAME,
        timestamp=check.started_at.strftime("%Y-%m-%dT%H:%M:%S"),
        **counts,
    )
    _add_properties(suite, check)
    for result in check.results:
        _add_case(suite, check, result)

    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _add_properties(suite: etree._Element, check: CheckResult) -> None:
    plan = check.plan
    properties = etree.SubElement(suite, "properties")
    for name, value in (
        ("url", plan.masked_url()),
        ("format", plan.body_format.value),
        ("run_id", check.run_id),
        ("tool_version", __version__),
        ("cancelled", "true" if check.cancelled else "false"),
    ):
        etree.SubElement(properties, "property", name=name, value=safe_text(value))


def _add_case(suite: etree._Element, check: CheckResult, result: TopicResult) -> None:
    case = etree.SubElement(
        suite,
        "testcase",
        name=result.topic.key,
        classname=check.plan.body_format.value,
        time=_seconds(result.elapsed_ms or 0.0),
    )
    message = safe_text(result.reason)
    if result.verdict is Verdict.FAILED:
        expectation = result.failed_expectation
        element = etree.SubElement(
            case,
            "failure",
            message=message,
            type=expectation.value if expectation is not None else "expectation",
        )
        element.text = _details(check, result)
    elif result.verdict is Verdict.ERROR:
        element = etree.SubElement(
            case, "error", message=message, type=result.kind or "error"
        )
        element.text = _details(check, result)
    elif result.verdict is Verdict.CANCELLED:
        etree.SubElement(case, "error", message=message, type="cancelled")


def _details(check: CheckResult, result: TopicResult) -> str:
    """Return the exchange as plain text: request line, response and body start."""
    lines = [f"POST {check.plan.masked_url(result.url)}"]
    lines += [f"{name}: {value}" for name, value in request_headers(result)]
    delivery = result.delivery
    response = None if delivery is None else delivery.response
    if response is not None:
        lines.append("")
        lines.append(
            f"HTTP/{response.http_version.removeprefix('HTTP/')} "
            f"{response.status} {response.reason}"
        )
        lines += [f"{name}: {value}" for name, value in response_headers(result)]
        excerpt = body_excerpt(
            response.body, response.header("content-type"), BODY_EXCERPT_CHARS
        )
        if excerpt:
            lines += ["", excerpt]
    return safe_text("\n".join(lines)) + "\n"


def _seconds(milliseconds: float) -> str:
    return f"{milliseconds / 1000:.3f}"
