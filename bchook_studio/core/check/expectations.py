"""Check expectations: the conditions each response must meet, and the judgement."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bchook_studio.core.check.response_fields import (
    FieldExpectation,
    check_field,
    parse_body,
)
from bchook_studio.core.check.status_spec import (
    DEFAULT_STATUS,
    ExpectationError,
    StatusSpec,
)
from bchook_studio.core.delivery.result import ReceivedResponse
from bchook_studio.core.text_decoding import decode_body

SHOWN_TEXT_CHARS = 60
"""Characters of the expected body text quoted in a failure reason."""


class ExpectationName(StrEnum):
    """The name of an expectation a response failed, also the JUnit failure type."""

    STATUS = "status"
    TIME = "time"
    BODY = "body"
    FIELD = "field"


@dataclass(frozen=True)
class Expectations:
    """The conditions every response of a check must meet."""

    status: StatusSpec = DEFAULT_STATUS
    max_ms: int | None = None
    """Maximum milliseconds from the start of the request to the complete
    response, or None for no limit."""

    body_contains: str | None = None
    """Text the decoded response body must contain (case-sensitive), or None."""

    fields: tuple[FieldExpectation, ...] = ()

    def __post_init__(self) -> None:
        if self.max_ms is not None and self.max_ms < 1:
            raise ExpectationError(
                f"invalid time limit of {self.max_ms} ms; use 1 ms or more"
            )
        if self.body_contains == "":
            raise ExpectationError(
                "the expected body text is empty; give a text or no expectation"
            )

    @property
    def reads_body(self) -> bool:
        """True when judging a response means decoding or parsing its body."""
        return self.body_contains is not None or bool(self.fields)

    def to_dict(self) -> dict[str, Any]:
        """Return the expectations as the JSON report writes them."""
        return {
            "status": self.status.text,
            "max_ms": self.max_ms,
            "body_contains": self.body_contains,
            "fields": [
                {"path": field.path, "value": field.expected} for field in self.fields
            ],
        }


@dataclass(frozen=True)
class Mismatch:
    """One expectation a response did not meet, with what came back."""

    expectation: ExpectationName
    message: str


def judge_response(
    response: ReceivedResponse, elapsed_ms: float, expectations: Expectations
) -> list[Mismatch]:
    """Return every expectation the response fails, in a fixed order; empty passes.

    Parsing the body for field checks can take long for a large body, so call
    this from a worker thread when `expectations.reads_body` is true.
    """
    mismatches = []
    if not expectations.status.matches(response.status):
        mismatches.append(
            Mismatch(
                ExpectationName.STATUS,
                f"status {response.status}, expected {expectations.status}",
            )
        )

    limit = expectations.max_ms
    if limit is not None and elapsed_ms > limit:
        mismatches.append(
            Mismatch(
                ExpectationName.TIME, f"took {elapsed_ms:,.0f} ms, limit {limit:,} ms"
            )
        )

    if expectations.body_contains is not None:
        problem = _body_problem(response, expectations.body_contains)
        if problem is not None:
            mismatches.append(Mismatch(ExpectationName.BODY, problem))

    if expectations.fields:
        parsed = parse_body(response.body, response.header("content-type"))
        for field in expectations.fields:
            problem = check_field(field, parsed)
            if problem is not None:
                mismatches.append(Mismatch(ExpectationName.FIELD, problem))
    return mismatches


def _body_problem(response: ReceivedResponse, text: str) -> str | None:
    decoded = decode_body(response.body, response.header("content-type"))
    if decoded.text is not None:
        found = text in decoded.text
    else:
        found = text.encode("utf-8") in response.body
    if found:
        return None

    quoted = text if len(text) <= SHOWN_TEXT_CHARS else text[:SHOWN_TEXT_CHARS] + "…"
    message = f"body does not contain {quoted!r}"
    if response.truncated:
        message += f" in the first {len(response.body):,} bytes kept"
    return message
