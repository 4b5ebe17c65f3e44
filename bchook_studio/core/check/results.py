"""The outcome of a check: a verdict per topic and the run as a whole."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bchook_studio.core.check.expectations import ExpectationName
from bchook_studio.core.check.plan import CheckPlan
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.topics import Topic

TEMPLATE_KIND = "template"
"""The kind of an `error` whose body did not render or is not well formed.

It is not a delivery failure kind, because nothing was sent."""

CANCELLED_KIND = "cancelled"


class Verdict(StrEnum):
    """The outcome of one topic of a check; the values are stable identifiers."""

    PASSED = "passed"
    FAILED = "failed"
    """A response came back and missed an expectation."""

    ERROR = "error"
    """No response: a delivery failure, or a body that did not render."""

    CANCELLED = "cancelled"
    """The run was cancelled before this topic had a response."""


@dataclass(frozen=True)
class TopicResult:
    """The verdict on one topic, with the delivery behind it."""

    topic: Topic
    url: str
    """The URL this topic was sent to (secrets not masked)."""

    verdict: Verdict
    reason: str = ""
    """The reason it failed, errored or was cancelled, in plain words, or ''."""

    kind: str | None = None
    """For `error` and `cancelled`: a delivery failure kind, `template`, or
    `cancelled`."""

    failed_expectation: ExpectationName | None = None
    """For `failed`: the first expectation missed."""

    delivery: DeliveryResult | None = None
    """None when nothing was sent (the body did not render, or cancelled first)."""

    history_id: int | None = None
    """The history entry of the delivery, when the recorder returned one."""

    @property
    def status(self) -> int | None:
        """Return the response status, or None without a response."""
        if self.delivery is None or self.delivery.response is None:
            return None
        return self.delivery.response.status

    @property
    def elapsed_ms(self) -> float | None:
        """Return milliseconds to the complete response or failure, or None."""
        return None if self.delivery is None else self.delivery.elapsed_ms


@dataclass(frozen=True)
class CheckSummary:
    """Counts of verdicts; `failed` does not include errors."""

    total: int
    passed: int
    failed: int
    errors: int
    cancelled: int

    @classmethod
    def of(cls, results: Iterable[TopicResult]) -> "CheckSummary":
        verdicts = [result.verdict for result in results]
        return cls(
            total=len(verdicts),
            passed=verdicts.count(Verdict.PASSED),
            failed=verdicts.count(Verdict.FAILED),
            errors=verdicts.count(Verdict.ERROR),
            cancelled=verdicts.count(Verdict.CANCELLED),
        )

    def to_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True)
class CheckResult:
    """A finished or cancelled check run."""

    plan: CheckPlan
    run_id: str
    """The id that groups this run's deliveries in the history."""

    started_at: datetime
    finished_at: datetime
    results: tuple[TopicResult, ...]
    """One result per topic of the plan, in the plan's order."""

    cancelled: bool = False

    @property
    def summary(self) -> CheckSummary:
        return CheckSummary.of(self.results)

    @property
    def duration_ms(self) -> float:
        """Return milliseconds from the start of the run to its end."""
        return (self.finished_at - self.started_at).total_seconds() * 1000

    @property
    def passed(self) -> bool:
        """True when the run finished and every topic passed."""
        return not self.cancelled and all(
            result.verdict is Verdict.PASSED for result in self.results
        )
