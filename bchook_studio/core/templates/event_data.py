"""Event data as templates take it: a JSON object parsed with its number spellings."""

from typing import Any

from bchook_studio.core.formats import FormatError, FormatProblem, parse_json
from bchook_studio.core.templates.missing import type_name


def parse_event(text: str) -> dict[str, Any]:
    """Parse event data text into the dict `render_template` takes.

    Numbers keep their JSON spelling (see formats.JsonNumber). Raise FormatError,
    with the line and column, for text that is not JSON or not a JSON object.
    """
    value = parse_json(text)
    if not isinstance(value, dict):
        message = (
            f"the event data is {type_name(value)}, but it must be a JSON object "
            "({...})"
        )
        raise FormatError(FormatProblem(1, 1, message))
    return value
