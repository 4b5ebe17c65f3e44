"""`bchook-studio render TOPIC`: render a body template and print the body.

The template options are shared with `send`, which renders the same way.
"""

import argparse
from datetime import UTC, datetime
from typing import Any

from bchook_studio.cli.arguments import (
    add_format,
    add_topic,
    read_input_file,
    resolve_topic,
    seed,
)
from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    one_line,
    problem_line,
    terminal_safe,
    warning,
    write_text,
)

DEFAULT_TEMPLATE_NAME = "template"
"""The name error lines give the default template, which has no file."""

BODY_NAME = "body"
"""The name error lines give the rendered body, whose positions they report."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render a body template against an event and print the body",
        description=(
            "Render a body template against a topic's example event (or --event) "
            "and print the body. Without --template the default template is "
            "used, which prints what `show` prints. Template errors go to stderr "
            "as TEMPLATE:LINE:COL: message (:COL only where the column is known, "
            "which Jinja2 syntax errors leave out), and a body that is not well "
            "formed is printed with body:LINE:COL: message; both exit with status 1."
        ),
    )
    add_topic(parser)
    add_format(parser)
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="the body template to render (UTF-8); default: the event itself",
    )
    add_render_options(parser)
    parser.set_defaults(run=run)


def add_render_options(parser: argparse.ArgumentParser) -> None:
    """Add --event, --now and --seed, which `render` and `send` share."""
    parser.add_argument(
        "--event",
        metavar="FILE",
        help="a JSON file with the event data (a JSON object) to use instead of "
        "the topic's example event",
    )
    parser.add_argument(
        "--now",
        type=parse_now,
        metavar="ISO8601",
        help="the time studio.now_iso() and studio.now_unix() return, such as "
        "2024-05-01T12:00:00Z; a time without an offset is taken as UTC",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        metavar="N",
        help="an integer that makes studio.uuid() return the same UUIDs on every run",
    )


def parse_now(text: str) -> datetime:
    """Parse --now; argparse reports the ArgumentTypeError as a usage error."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid time {text!r}; use ISO 8601, such as 2024-05-01T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        # Templates show the time in UTC, which must be a year from 1 to 9999.
        moment.astimezone(UTC)
    except OverflowError:
        raise argparse.ArgumentTypeError(
            f"invalid time {text!r}; in UTC it falls outside the years 1 to 9999"
        ) from None
    return moment


def load_event(path: str | None, topic: Any) -> dict[str, Any]:
    """Return the event from --event, or the topic's example event.

    Raise UsageError for a file that is missing, not UTF-8, not JSON or not a
    JSON object, naming the file and the position of the problem.
    """
    from bchook_studio.core.formats import FormatError
    from bchook_studio.core.templates import parse_event

    if path is None:
        return parse_event(topic.example_text())

    text = _decode(read_input_file(path, "event"), path, "event")
    try:
        return parse_event(text)
    except FormatError as exc:
        raise UsageError(f"invalid event file {path}:{exc.problem}") from None


def load_template(path: str | None, body_format: Any) -> tuple[str, str]:
    """Return the template text and the name its error lines use.

    Raise UsageError for a missing or unreadable file or one that is not UTF-8.
    """
    from bchook_studio.core.templates import default_template

    if path is None:
        return default_template(body_format), DEFAULT_TEMPLATE_NAME
    return _decode(read_input_file(path, "template"), path, "template"), path


def _decode(data: bytes, path: str, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UsageError(
            f"{what} file {path} is not valid UTF-8: byte 0x{data[exc.start]:02x} "
            f"at line {line}, column {column}; save it as UTF-8"
        ) from None


def render_body(
    options: argparse.Namespace, topic: Any, body_format: Any, *, check: bool = True
) -> Any:
    """Render the template that the options name, print its warnings, return it.

    With `check`, a body that is not well formed gets a problem. The result's
    problems are left to the caller, which decides whether they stop it.
    """
    from bchook_studio.core.templates import render_template

    template, name = load_template(options.template, body_format)
    event = load_event(options.event, topic)
    result = render_template(
        template,
        event,
        body_format,
        topic=topic,
        now=options.now,
        seed=options.seed,
        check_body=check,
    )
    for item in result.warnings:
        warning(_located(name, item))
    return result


def template_name(options: argparse.Namespace) -> str:
    """Return the name that error lines give the template."""
    return options.template if options.template is not None else DEFAULT_TEMPLATE_NAME


def report_problems(result: Any, options: argparse.Namespace) -> None:
    """Write each problem as `NAME:LINE:COL: message` to stderr.

    NAME is `body` for a problem positioned in the rendered body, and the
    template's name otherwise. The default template only writes out the event
    data, so its problems also name where that data came from.
    """
    name = template_name(options)
    for problem in result.problems:
        if problem.in_body:
            problem_line(BODY_NAME, _position_and_message(problem))
        else:
            problem_line(name, _position_and_message(problem, _source_note(options)))


def _source_note(options: argparse.Namespace) -> str:
    if options.template is not None:
        return ""
    source = options.event if options.event is not None else "the example event"
    return (
        f" (the default template writes the event data as it is: check {source}, "
        "or pass --template)"
    )


def _position_and_message(problem: Any, note: str = "") -> str:
    message = one_line(problem.message) + note
    location = problem.location()
    return f"{location}: {message}" if location else f" {message}"


def _located(name: str, problem: Any) -> str:
    location = problem.location()
    prefix = f"{name}:{location}" if location else name
    return f"{prefix}: {problem.message}"


def run(options: argparse.Namespace) -> int:
    from bchook_studio.core.formats import BodyFormat

    topic = resolve_topic(options.topic)
    body_format = BodyFormat(options.format)
    result = render_body(options, topic, body_format)

    if result.text is not None:
        # An event file can be a captured request, so a terminal gets the body
        # escaped. A pipe or file gets it unchanged.
        write_text(terminal_safe(result.text, multiline=True))
    report_problems(result, options)
    return EXIT_FAILED if result.problems else EXIT_OK
