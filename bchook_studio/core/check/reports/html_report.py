"""The HTML report of a check run: one self-contained page for people.

The page has no external references: no stylesheet links, scripts, fonts or
images, only inline CSS. Every value is escaped by Jinja2's autoescaping and
passed through `safe_text` first, because response bodies and headers come
from the endpoint and may hold markup or control characters. Secrets are
masked: the URL's password and secret query values, Authorization and secret
request headers, and Set-Cookie values.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from bchook_studio import __version__
from bchook_studio.core.check.reports.common import (
    TOOL_NAME,
    body_excerpt,
    format_ms,
    request_headers,
    response_headers,
    safe_text,
    utc_text,
)
from bchook_studio.core.check.results import CheckResult, TopicResult, Verdict

BODY_EXCERPT_CHARS = 8192
"""Characters of each request and response body shown in the page."""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Endpoint check: {{ headline }}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2328; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.headline { font-size: 1.1rem; margin: 0 0 1rem; }
.cancelled-note { background: #fff8c5; border: 1px solid #d4a72c;
  padding: .5rem .75rem; border-radius: 6px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr;
  gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: #59636e; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0;
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.number { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
td.reason { overflow-wrap: anywhere; }
.verdict { font-weight: 600; white-space: nowrap; }
.passed { color: #1a7f37; }
.failed { color: #cf222e; }
.error { color: #9a6700; }
.cancelled { color: #59636e; }
details { border: 1px solid #d1d9e0; border-radius: 6px; margin: .5rem 0;
  padding: .25rem .75rem; }
details > summary { cursor: pointer; padding: .25rem 0; }
details h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
pre { background: #f6f8fa; padding: .5rem .75rem; border-radius: 6px;
  overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere;
  font: 12.5px/1.4 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
footer { color: #59636e; margin-top: 2rem; font-size: .9em; }
</style>
</head>
<body>
<h1>Endpoint check</h1>
<p class="headline">{{ headline }}</p>
{% if cancelled %}
<p class="cancelled-note">The check was cancelled before every topic had an
response.</p>
{% endif %}
<dl class="facts">
<dt>Endpoint</dt><dd><code>{{ url }}</code></dd>
<dt>Format</dt><dd>{{ format }}</dd>
<dt>Started</dt><dd>{{ started_at }}</dd>
<dt>Duration</dt><dd>{{ duration }}</dd>
<dt>Expected status</dt><dd>{{ expectations.status }}</dd>
<dt>Time limit</dt><dd>{{ expectations.time_limit }}</dd>
{% if expectations.body_contains %}
<dt>Body contains</dt><dd><code>{{ expectations.body_contains }}</code></dd>
{% endif %}
{% for field in expectations.fields %}
<dt>Field</dt><dd><code>{{ field }}</code></dd>
{% endfor %}
<dt>Run id</dt><dd><code>{{ run_id }}</code></dd>
<dt>Tool</dt><dd>{{ tool }} {{ version }}</dd>
</dl>

<h2>Topics</h2>
<table>
<thead>
<tr><th>Topic</th><th>Title</th><th>Status</th><th>Time</th><th>Verdict</th>
<th>Reason</th></tr>
</thead>
<tbody>
{% for row in rows %}
<tr>
<td><a href="#{{ row.anchor }}"><code>{{ row.key }}</code></a></td>
<td>{{ row.title }}</td>
<td class="number">{{ row.status }}</td>
<td class="number">{{ row.time }}</td>
<td class="verdict {{ row.verdict }}">{{ row.verdict }}</td>
<td class="reason">{{ row.reason }}</td>
</tr>
{% endfor %}
</tbody>
</table>

<h2>Details</h2>
{% for row in rows %}
<details id="{{ row.anchor }}"{% if row.open %} open{% endif %}>
<summary><code>{{ row.key }}</code> {{ row.title }} ·
<span class="verdict {{ row.verdict }}">{{ row.verdict }}</span></summary>
{% if row.reason %}
<p><span class="verdict {{ row.verdict }}">{{ row.verdict }}</span>
{%- if row.kind %} (<code>{{ row.kind }}</code>){% endif %}: {{ row.reason }}</p>
{% endif %}
<h3>Request</h3>
{% if row.sent %}
<pre>POST {{ row.url }}
{% for name, value in row.request_headers %}{{ name }}: {{ value }}
{% endfor %}</pre>
{% if row.request_body %}
<pre>{{ row.request_body }}</pre>
{% endif %}
{% else %}
<p>Nothing was sent to <code>{{ row.url }}</code>.</p>
{% endif %}
{% if row.response_line %}
<h3>Response</h3>
<pre>{{ row.response_line }}
{% for name, value in row.response_headers %}{{ name }}: {{ value }}
{% endfor %}</pre>
{% if row.response_body %}
<pre>{{ row.response_body }}</pre>
{% endif %}
{% endif %}
{% for note in row.notes %}
<p>{{ note }}</p>
{% endfor %}
</details>
{% endfor %}

<footer>Written by {{ tool }} {{ version }}. Passwords, Authorization and
secret header values, and Set-Cookie values are masked.</footer>
</body>
</html>
"""


@dataclass(frozen=True)
class _Row:
    key: str
    anchor: str
    title: str
    url: str
    status: str
    time: str
    verdict: str
    reason: str
    kind: str
    open: bool
    sent: bool
    request_headers: tuple[tuple[str, str], ...]
    request_body: str
    response_line: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    notes: tuple[str, ...]


@cache
def _template() -> Any:
    from jinja2 import Environment, StrictUndefined

    environment = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.from_string(_PAGE)


def html_report(check: CheckResult) -> bytes:
    """Return the HTML report as UTF-8 bytes."""
    plan = check.plan
    expectations = plan.expectations
    page = _template().render(
        headline=headline(check),
        cancelled=check.cancelled,
        url=safe_text(plan.masked_url()),
        format=plan.body_format.value.upper(),
        started_at=utc_text(check.started_at),
        duration=format_ms(check.duration_ms),
        expectations={
            "status": expectations.status.text,
            "time_limit": (
                "no limit"
                if expectations.max_ms is None
                else f"{expectations.max_ms:,} ms"
            ),
            "body_contains": safe_text(expectations.body_contains or ""),
            "fields": [safe_text(field.text) for field in expectations.fields],
        },
        run_id=check.run_id,
        tool=TOOL_NAME,
        version=__version__,
        rows=[_row(check, result) for result in check.results],
    )
    return page.encode("utf-8", "replace")


def headline(check: CheckResult) -> str:
    """Return the one-line summary, such as `21 of 24 passed · 2 failed · 1 error`."""
    summary = check.summary
    parts = [f"{summary.passed} of {summary.total} passed"]
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.errors:
        parts.append(f"{summary.errors} {'error' if summary.errors == 1 else 'errors'}")
    if summary.cancelled:
        parts.append(f"{summary.cancelled} cancelled")
    return " · ".join(parts)


def _row(check: CheckResult, result: TopicResult) -> _Row:
    delivery = result.delivery
    request = None if delivery is None else delivery.request
    response = None if delivery is None else delivery.response

    request_body = ""
    if request is not None:
        request_body = body_excerpt(
            request.body, request.header("content-type"), BODY_EXCERPT_CHARS
        )
    response_line = response_body = ""
    if response is not None:
        response_line = safe_text(
            f"{response.http_version} {response.status} {response.reason}"
        )
        response_body = body_excerpt(
            response.body, response.header("content-type"), BODY_EXCERPT_CHARS
        )

    verdict = result.verdict
    return _Row(
        key=result.topic.key,
        anchor=f"topic-{result.topic.key}",
        title=result.topic.title,
        url=safe_text(check.plan.masked_url(result.url)),
        status="" if result.status is None else str(result.status),
        time=format_ms(result.elapsed_ms),
        verdict=verdict.value,
        reason=safe_text(result.reason),
        kind=result.kind or "",
        open=verdict in (Verdict.FAILED, Verdict.ERROR),
        sent=request is not None,
        request_headers=request_headers(result),
        request_body=request_body,
        response_line=response_line,
        response_headers=response_headers(result),
        response_body=response_body,
        notes=tuple(safe_text(note) for note in (delivery.notes if delivery else ())),
    )
