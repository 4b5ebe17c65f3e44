"""The effect on the body text of switching a webhook between JSON and XML.

The window needs the user's choice inside a synchronous slot, so the designer
first returns a plan: what would happen, and whether the user must choose. The
window then carries the plan out with that choice.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

from bchook_studio.core import formats
from bchook_studio.core.bodies import render_event
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.formats.problems import FormatError
from bchook_studio.core.templates import default_template
from bchook_studio.core.webhook import BodyMode

logger = logging.getLogger(__name__)


class FormatSwitchAction(StrEnum):
    """The change a format switch makes to the body text."""

    NONE = "none"
    """The format does not change, or the text is already right for it."""

    REGENERATE_TEMPLATE = "regenerate_template"
    """The default template is replaced by the new format's default template."""

    CONVERT_BODY = "convert_body"
    """The well-formed raw body is converted to the new format."""

    ASK_REPLACE_TEMPLATE = "ask_replace_template"
    """The template was edited: ask whether to replace it with the new format's
    default template or to keep it as it is."""

    ASK_REPLACE_BODY = "ask_replace_body"
    """The raw body cannot be converted: ask whether to replace it with the event
    data in the new format or to keep it as it is."""


@dataclass(frozen=True)
class FormatSwitchPlan:
    """The outcome of switching to `new_format`, before anything changes."""

    new_format: BodyFormat
    action: FormatSwitchAction
    replacement: str | None = None
    """The body text after the switch, or None when the text stays as it is.
    For an ASK_ action, the text that choosing "Replace" puts in the editor."""

    reason: str = ""
    """For an ASK_ action, the sentence that explains why the text cannot follow."""

    @property
    def needs_answer(self) -> bool:
        """True when the user must choose between replacing and keeping the text."""
        return self.action in (
            FormatSwitchAction.ASK_REPLACE_TEMPLATE,
            FormatSwitchAction.ASK_REPLACE_BODY,
        )


def plan_format_switch(
    mode: BodyMode,
    text: str,
    old_format: BodyFormat,
    new_format: BodyFormat,
    event: dict | None,
    example_body: str,
) -> FormatSwitchPlan:
    """Plan what switching from `old_format` to `new_format` does to `text`.

    `event` is the parsed event data, or None when it does not parse.
    `example_body` is the topic's example event in `new_format`, which replaces
    a raw body when the event data does not parse.
    """
    if new_format is old_format:
        return FormatSwitchPlan(new_format, FormatSwitchAction.NONE)
    if mode is BodyMode.TEMPLATE:
        return _plan_template(text, old_format, new_format)
    return _plan_raw(text, new_format, event, example_body)


def is_default_template(text: str, body_format: BodyFormat) -> bool:
    """True when `text` is the default template of `body_format`.

    White space at the ends does not count, so an added final new line does
    not make the template "edited".
    """
    return text.strip() == default_template(body_format).strip()


def _plan_template(
    text: str, old_format: BodyFormat, new_format: BodyFormat
) -> FormatSwitchPlan:
    replacement = default_template(new_format)
    if is_default_template(text, new_format):
        return FormatSwitchPlan(new_format, FormatSwitchAction.NONE)
    if is_default_template(text, old_format):
        return FormatSwitchPlan(
            new_format, FormatSwitchAction.REGENERATE_TEMPLATE, replacement
        )
    reason = (
        f"The template was edited, so it cannot be converted to "
        f"{new_format.value.upper()} automatically."
    )
    return FormatSwitchPlan(
        new_format, FormatSwitchAction.ASK_REPLACE_TEMPLATE, replacement, reason
    )


def _plan_raw(
    text: str, new_format: BodyFormat, event: dict | None, example_body: str
) -> FormatSwitchPlan:
    try:
        if new_format is BodyFormat.XML:
            converted = formats.json_text_to_xml_text(text)
        else:
            converted = formats.xml_text_to_json_text(text)
    except FormatError as error:
        replacement = example_body if event is None else render_event(event, new_format)
        reason = f"The body cannot be converted to {new_format.value.upper()}: {error}."
        return FormatSwitchPlan(
            new_format, FormatSwitchAction.ASK_REPLACE_BODY, replacement, reason
        )
    return FormatSwitchPlan(new_format, FormatSwitchAction.CONVERT_BODY, converted)
