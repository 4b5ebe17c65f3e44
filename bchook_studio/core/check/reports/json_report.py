"""The JSON report of a check run, for scripts and dashboards."""

import json
from typing import Any

from bchook_studio import __version__
from bchook_studio.core.check.reports.common import TOOL_NAME, topic_record, utc_text
from bchook_studio.core.check.results import CheckResult


def json_report_data(check: CheckResult) -> dict[str, Any]:
    """Return the report as a JSON-ready dict; topics in the plan's order."""
    plan = check.plan
    return {
        "tool": TOOL_NAME,
        "version": __version__,
        "run_id": check.run_id,
        "started_at": utc_text(check.started_at),
        "finished_at": utc_text(check.finished_at),
        "duration_ms": round(check.duration_ms, 1),
        "cancelled": check.cancelled,
        "url": plan.masked_url(),
        "format": plan.body_format.value,
        "concurrency": plan.concurrency,
        "pause_ms": plan.pause_ms,
        "expectations": plan.expectations.to_dict(),
        "summary": check.summary.to_dict(),
        "results": [topic_record(check, result) for result in check.results],
    }


def json_report(check: CheckResult) -> bytes:
    """Return the JSON report as UTF-8: two-space indent, final new line."""
    text = json.dumps(json_report_data(check), indent=2, ensure_ascii=False)
    # Lone surrogates (from a JSON escape in a response, or an undecodable
    # command-line byte) cannot be UTF-8, so they become "?".
    return (text + "\n").encode("utf-8", "replace")
