"""Reports of a check run: HTML for people, JSON for scripts, JUnit XML for CI.

Each function takes a CheckResult and returns the file's bytes, topics in the
plan's order, with secrets masked.
"""

from bchook_studio.core.check.reports.html_report import headline, html_report
from bchook_studio.core.check.reports.json_report import json_report, json_report_data
from bchook_studio.core.check.reports.junit_report import SUITE_NAME, junit_report

__all__ = [
    "SUITE_NAME",
    "headline",
    "html_report",
    "json_report",
    "json_report_data",
    "junit_report",
]
