"""Render a body template against event data, returning problems as values."""

import functools
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from jinja2 import Template
from jinja2.exceptions import TemplateSyntaxError

from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.templates.deadline import Deadline, RenderTimeout
from bchook_studio.core.templates.environment import get_environment
from bchook_studio.core.templates.errors import (
    PositionsSource,
    render_problem,
    syntax_problem,
)
from bchook_studio.core.templates.escaping import REPLACEMENT_CHARACTER
from bchook_studio.core.templates.filters import raw
from bchook_studio.core.templates.guards import LimitExceeded, SizeMeter
from bchook_studio.core.templates.helpers import StudioHelpers
from bchook_studio.core.templates.positions import TemplatePositions
from bchook_studio.core.templates.results import (
    ProblemKind,
    RenderLimits,
    RenderResult,
    TemplateProblem,
    body_problem,
)
from bchook_studio.core.templates.state import RenderState, enter_state, leave_state
from bchook_studio.core.topics import Topic

logger = logging.getLogger(__name__)

_TAG_START = re.compile(r"\{[{%#]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_ENDING_NAMES = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}


def render_template(
    template: str,
    event: dict[str, Any],
    body_format: BodyFormat,
    *,
    topic: Topic | None = None,
    now: datetime | None = None,
    seed: int | None = None,
    limits: RenderLimits | None = None,
    check_body: bool = True,
) -> RenderResult:
    """Render `template` against `event`; see bchook_studio.core.templates."""
    started = time.perf_counter()
    limits = limits or RenderLimits()
    if not isinstance(event, dict):
        raise TypeError(f"the event must be a dict, not {type(event).__name__}")

    if _TAG_START.search(template) is None:
        # No tags: the body is the template, line endings and all.
        result = RenderResult(template)
    else:
        result = _render_tags(template, event, body_format, topic, now, seed, limits)

    if result.text is not None and check_body:
        problem = body_format.check(result.text)
        if problem is not None:
            result.problems.append(
                body_problem(problem, body_format, "the rendered body")
            )

    result.elapsed = time.perf_counter() - started
    logger.debug(
        "rendered a %s template in %.1f ms: %d problems, %d warnings",
        body_format.value,
        result.elapsed * 1000,
        len(result.problems),
        len(result.warnings),
    )
    return result


def _render_tags(
    source: str,
    event: dict[str, Any],
    body_format: BodyFormat,
    topic: Topic | None,
    now: datetime | None,
    seed: int | None,
    limits: RenderLimits,
) -> RenderResult:
    newline, mixed_endings = _line_endings(source)
    deadline = Deadline(limits.time_limit)
    meter = SizeMeter(limits.max_output_bytes, deadline.check)
    state = RenderState(event, limits, deadline, meter)
    variables = _variables(event, topic, now, seed)

    text: str | None = None
    surrogates = 0
    failure: BaseException | None = None

    token = enter_state(state)
    previous_trace = sys.gettrace()
    deadline.start()
    try:
        compiled = _compile(source, body_format, newline)
        text, surrogates = _generate(compiled, variables, limits.max_output_bytes)
    except (Exception, RenderTimeout) as error:
        failure = error
    finally:
        # A C call, so that the trace function cannot fire between the work
        # and its removal.
        sys.settrace(previous_trace)
        leave_state(token)

    positions = _Positions(body_format, newline, source)
    result = RenderResult(text)
    if failure is not None:
        result.text = None
        result.problems.append(_problem(failure, source, limits, state, positions))
        return result

    result.warnings.extend(_replaced_warnings(state, positions))
    if surrogates:
        result.warnings.append(
            TemplateProblem(
                ProblemKind.REPLACED_CHARACTER,
                f"the body contained {surrogates} unpaired surrogate characters, "
                "which UTF-8 cannot carry; they were replaced by U+FFFD",
            )
        )
    if mixed_endings:
        result.warnings.append(_line_endings_warning(newline))
    return result


def _compile(source: str, body_format: BodyFormat, newline: str) -> Template:
    if len(source) > _MAX_CACHED_SOURCE:
        return _compile_uncached(source, body_format, newline)
    return _compile_cached(source, body_format, newline)


def _compile_uncached(source: str, body_format: BodyFormat, newline: str) -> Template:
    # Parsing without the escaping extension first reports the user's syntax
    # errors without the tokens the extension adds, such as `{{ }}`, which
    # the extension would turn into the valid `{{ () | filter(0) }}`.
    get_environment(body_format, newline, escape=False).parse(source)
    return get_environment(body_format, newline).from_string(source)


# A compiled template can be rendered by several threads at once, and the live
# preview renders the same template again whenever the event data changes.
_compile_cached = functools.lru_cache(maxsize=32)(_compile_uncached)
_MAX_CACHED_SOURCE = 64 * 1024


def _variables(
    event: dict[str, Any],
    topic: Topic | None,
    now: datetime | None,
    seed: int | None,
) -> dict[str, Any]:
    helpers = StudioHelpers(now or datetime.now(UTC), seed, raw)
    variables: dict[str, Any] = dict(event)
    variables.pop("topic", None)
    variables["event"] = event
    variables["studio"] = helpers
    if topic is not None:
        variables["topic"] = topic.to_dict()
    return variables


def _generate(
    template: Template, variables: dict[str, Any], max_bytes: int
) -> tuple[str, int]:
    chunks: list[str] = []
    size = 0
    surrogates = 0
    stream = template.generate(variables)
    try:
        for chunk in stream:
            if chunk.isascii():
                size += len(chunk)
            else:
                chunk, replaced = _without_surrogates(chunk)
                surrogates += replaced
                size += len(chunk.encode("utf-8"))
            if size > max_bytes:
                raise LimitExceeded(
                    f"the rendered body is larger than the limit of {max_bytes:,} bytes"
                )
            chunks.append(chunk)
    finally:
        stream.close()
    return "".join(chunks), surrogates


def _without_surrogates(text: str) -> tuple[str, int]:
    found = _LONE_SURROGATE.findall(text)
    if not found:
        return text, 0
    return _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text), len(found)


def _problem(
    failure: BaseException,
    source: str,
    limits: RenderLimits,
    state: RenderState,
    positions: PositionsSource,
) -> TemplateProblem:
    if isinstance(failure, TemplateSyntaxError):
        return syntax_problem(failure, source)
    return render_problem(
        failure,
        time_limit=limits.time_limit,
        missing_name=state.missing_name,
        positions=positions,
    )


class _Positions:
    """Lexes the template for positions on first use, since most renders need none."""

    def __init__(self, body_format: BodyFormat, newline: str, source: str) -> None:
        self._lexer = get_environment(body_format, newline, escape=False).lexer
        self._source = source
        self._positions: TemplatePositions | None = None
        self._failed = False

    def __call__(self) -> TemplatePositions | None:
        if self._positions is None and not self._failed:
            try:
                self._positions = TemplatePositions(self._lexer, self._source)
            except TemplateSyntaxError:
                self._failed = True
        return self._positions


def _replaced_warnings(
    state: RenderState, positions: _Positions
) -> list[TemplateProblem]:
    if not state.replaced:
        return []
    placed = positions()
    placeholders = placed.placeholders() if placed is not None else []

    warnings = []
    for index, count in sorted(state.replaced.items()):
        example = f"U+{ord(state.replaced_examples[index]):04X}"
        if count == 1:
            detail = (
                f"contains {example}, which XML 1.0 cannot carry; it was replaced "
                "by U+FFFD"
            )
        else:
            detail = (
                f"contains {count} characters that XML 1.0 cannot carry, such as "
                f"{example}; they were replaced by U+FFFD"
            )
        if index < len(placeholders):
            placeholder = placeholders[index]
            message = f"the value of {placeholder.expression} {detail}"
            line, column = placeholder.line, placeholder.column
        else:
            message = f"a value {detail}"
            line = column = None
        warnings.append(
            TemplateProblem(ProblemKind.REPLACED_CHARACTER, message, line, column)
        )
    return warnings


def _line_endings(source: str) -> tuple[str, bool]:
    """Return the newline sequence to write and whether the template mixes kinds.

    Jinja writes every line break of the template text as one sequence. The
    most frequent kind in the template is chosen.
    """
    crlf = source.count("\r\n")
    counts = {
        "\r\n": crlf,
        "\n": source.count("\n") - crlf,
        "\r": source.count("\r") - crlf,
    }
    present = [sequence for sequence, count in counts.items() if count]
    if not present:
        return "\n", False
    return max(present, key=lambda sequence: counts[sequence]), len(present) > 1


def _line_endings_warning(newline: str) -> TemplateProblem:
    return TemplateProblem(
        ProblemKind.LINE_ENDINGS,
        "the template mixes line endings; every line break of the template text "
        f"was written as {_LINE_ENDING_NAMES[newline]}",
    )
