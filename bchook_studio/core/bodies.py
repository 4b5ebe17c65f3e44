"""The default body of a topic and the well-formedness check made before sending."""

from typing import Any

from bchook_studio.core import formats
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.formats.problems import FormatProblem
from bchook_studio.core.topics import Topic


def render_event(event: Any, body_format: BodyFormat) -> str:
    """Return an event as a body: pretty JSON, or XML by the studio's layout."""
    if body_format is BodyFormat.XML:
        return formats.json_to_xml(event)
    return formats.pretty_json(event)


def default_body(topic: Topic, body_format: BodyFormat) -> str:
    """Return the body `bchook-studio show TOPIC --format F` prints."""
    return render_event(formats.parse_json(topic.example_text()), body_format)


def check_body(body: bytes, body_format: BodyFormat) -> FormatProblem | None:
    """Return the first well-formedness problem of a body, or None."""
    if body_format is BodyFormat.XML:
        return formats.check_xml(body)

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        return FormatProblem(
            line, column, f"the body is not valid UTF-8 (byte 0x{body[exc.start]:02x})"
        )
    return formats.check_json(text)
