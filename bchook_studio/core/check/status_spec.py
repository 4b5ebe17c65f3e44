"""Expected response statuses: a code, a class, a range, or a comma list of these."""

import re
from dataclasses import dataclass

MIN_STATUS = 100
MAX_STATUS = 599

_CODE = re.compile(r"[0-9]{3}")
_CLASS = re.compile(r"([1-5])xx", re.IGNORECASE)
_RANGE = re.compile(r"([0-9]{3})\s*-\s*([0-9]{3})")

_FORMS = "use a code such as 201, a class such as 2xx, or a range such as 200-299"


class ExpectationError(ValueError):
    """An expectation that cannot be parsed; the message names the bad part."""


@dataclass(frozen=True)
class StatusSpec:
    """The statuses a check accepts, as inclusive ranges."""

    text: str
    """The specification in its normalised spelling, such as `2xx,304`."""

    ranges: tuple[tuple[int, int], ...]

    def matches(self, status: int) -> bool:
        """True when `status` falls in one of the ranges."""
        return any(low <= status <= high for low, high in self.ranges)

    def __str__(self) -> str:
        return self.text


def parse_status_spec(text: str) -> StatusSpec:
    """Parse `201`, `2xx`, `200-299` or a comma list such as `2xx,304`.

    Raises ExpectationError naming the part that is not one of these forms.
    """
    if not text.strip():
        raise ExpectationError(f"the status specification is empty; {_FORMS}")

    ranges: list[tuple[int, int]] = []
    spellings: list[str] = []
    for raw_part in text.split(","):
        part = raw_part.strip()
        low, high = _parse_part(part, text)
        ranges.append((low, high))
        spellings.append(_spelling(part, low, high))
    return StatusSpec(",".join(spellings), tuple(ranges))


def _parse_part(part: str, whole: str) -> tuple[int, int]:
    if not part:
        raise ExpectationError(
            f"the status specification {whole!r} has an empty part between "
            "commas; remove the extra comma"
        )

    if _CODE.fullmatch(part):
        code = int(part)
        _check_code(code, whole)
        return code, code

    match = _CLASS.fullmatch(part)
    if match is not None:
        first = int(match.group(1)) * 100
        return first, first + 99

    match = _RANGE.fullmatch(part)
    if match is not None:
        low, high = int(match.group(1)), int(match.group(2))
        _check_code(low, whole)
        _check_code(high, whole)
        if low > high:
            raise ExpectationError(
                f"the status range {part!r} in {whole!r} ends before it starts; "
                f"write it as {high}-{low}"
            )
        return low, high

    raise ExpectationError(f"invalid status {part!r} in {whole!r}; {_FORMS}")


def _check_code(code: int, whole: str) -> None:
    if not MIN_STATUS <= code <= MAX_STATUS:
        where = "" if whole.strip() == str(code) else f" in {whole!r}"
        raise ExpectationError(
            f"invalid status {code}{where}: HTTP statuses run from {MIN_STATUS} "
            f"to {MAX_STATUS}"
        )


def _spelling(part: str, low: int, high: int) -> str:
    if low == high:
        return str(low)
    if _CLASS.fullmatch(part):
        return f"{low // 100}xx"
    return f"{low}-{high}"


DEFAULT_STATUS = parse_status_spec("2xx")
"""Any 2xx status, the default expectation."""
