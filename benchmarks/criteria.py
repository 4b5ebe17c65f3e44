"""The criteria the suite judges, and how one criterion's runs become one record."""

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    """One figure with its target, checked against a ratio or the value itself."""

    name: str
    """Stable identifier, the `name` of the JSON record."""

    title: str
    """Short description for the table."""

    unit: str
    op: str
    """"<=" or ">=": how the checked figure must compare to `target`."""

    target: float
    target_of: str
    """"ratio" (value / baseline) or "value" (the value itself)."""

    worst_run: bool = False
    """Judge the worst run instead of the median: a limit that every run must
    keep, such as no request lost or no stall over 50 ms."""


CRITERIA: tuple[Criterion, ...] = (
    Criterion("startup", "start-up to painted and idle", "ms", "<=", 1.5, "ratio"),
    Criterion("idle_memory", "idle RSS, all processes", "MiB", "<=", 1.3, "ratio"),
    Criterion(
        "json_first_screen", "JSON body to first screen", "ms", "<=", 3.0, "ratio"
    ),
    Criterion(
        "json_max_stall",
        "JSON body: longest loop gap",
        "ms",
        "<=",
        50.0,
        "value",
        worst_run=True,
    ),
    Criterion("xml_first_screen", "XML body to first screen", "ms", "<=", 3.0, "ratio"),
    Criterion(
        "xml_max_stall",
        "XML body: longest loop gap",
        "ms",
        "<=",
        50.0,
        "value",
        worst_run=True,
    ),
    Criterion("typing_p95", "typing in template, p95", "ms", "<=", 16.0, "value"),
    Criterion(
        "typing_max",
        "typing in template, max",
        "ms",
        "<=",
        50.0,
        "value",
        worst_run=True,
    ),
    Criterion("sends_throughput", "sends with history", "req/s", ">=", 0.8, "ratio"),
    Criterion(
        "receiver_throughput", "receiver, 20 connections", "req/s", ">=", 0.7, "ratio"
    ),
    Criterion(
        "receiver_lost",
        "receiver: requests lost",
        "requests",
        "<=",
        0.0,
        "value",
        worst_run=True,
    ),
    Criterion(
        "receiver_max_stall",
        "receiver: longest loop gap",
        "ms",
        "<=",
        50.0,
        "value",
        worst_run=True,
    ),
)

CRITERIA_BY_NAME = {criterion.name: criterion for criterion in CRITERIA}


def judge(
    criterion: Criterion, runs: list[float], baseline_runs: list[float] | None
) -> dict[str, object]:
    """Return the JSON record of a criterion from its runs: medians (or the
    worst run, for a limit on every run), ratio, verdict."""
    if criterion.worst_run:
        value = max(runs) if criterion.op == "<=" else min(runs)
    else:
        value = statistics.median(runs)
    baseline = statistics.median(baseline_runs) if baseline_runs else None
    ratio = value / baseline if baseline else None
    checked = ratio if criterion.target_of == "ratio" else value
    if checked is None:
        met = False
    elif criterion.op == "<=":
        met = checked <= criterion.target
    else:
        met = checked >= criterion.target
    return {
        "name": criterion.name,
        "title": criterion.title,
        "unit": criterion.unit,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "op": criterion.op,
        "target": criterion.target,
        "target_of": criterion.target_of,
        "aggregate": "worst run" if criterion.worst_run else "median",
        "met": met,
        "runs": runs,
        "baseline_runs": baseline_runs or [],
    }
