"""One self-test case: its outcome, its output line, and how it is run."""

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """The outcome of a case; its value starts the case's output line."""

    PASS = "PASS"
    FAIL = "FAIL"
    """The case ran and found the installation broken."""

    ERROR = "ERROR"
    """The case itself raised an unexpected exception."""


class CheckFailed(Exception):
    """A problem a case found; the message states what failed and what to do."""


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case and the text that explains it."""

    outcome: Outcome
    name: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        """True for PASS; FAIL and ERROR both count as failed."""
        return self.outcome is Outcome.PASS

    def line(self) -> str:
        """Return the output line, such as `PASS course.created json`."""
        text = f"{self.outcome.value} {self.name}"
        if self.detail:
            text += ": " + " ".join(self.detail.split())
        return text


def _result_for_exception(name: str, exc: Exception) -> CaseResult:
    if isinstance(exc, CheckFailed):
        logger.warning("self-test case %s failed: %s", name, exc)
        return CaseResult(Outcome.FAIL, name, str(exc))
    logger.error("self-test case %s raised an exception", name, exc_info=exc)
    return CaseResult(Outcome.ERROR, name, f"{type(exc).__name__}: {exc}")


def run_case(name: str, check: Callable[[], str | None]) -> CaseResult:
    """Run one check and return its result.

    The check returns the detail of a pass (or None), raises CheckFailed for
    a FAIL, and any other exception becomes an ERROR.
    """
    try:
        detail = check()
    except Exception as exc:
        return _result_for_exception(name, exc)
    return CaseResult(Outcome.PASS, name, detail or "")


async def run_async_case(
    name: str, check: Callable[[], Awaitable[str | None]]
) -> CaseResult:
    """Run one coroutine check, with the same outcomes as `run_case`."""
    try:
        detail = await check()
    except Exception as exc:
        return _result_for_exception(name, exc)
    return CaseResult(Outcome.PASS, name, detail or "")


def summary_line(results: Iterable[CaseResult]) -> str:
    """Return the last output line: `N passed, M failed`."""
    outcomes = [result.passed for result in results]
    passed = sum(outcomes)
    return f"{passed} passed, {len(outcomes) - passed} failed"
