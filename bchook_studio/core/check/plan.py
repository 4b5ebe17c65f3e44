"""The plan of a check: one webhook's settings, the topics and the expectations."""

import copy
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bchook_studio.core.check.expectations import Expectations
from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.templates import (
    RenderResult,
    default_template,
    parse_event,
    render_template,
)
from bchook_studio.core.topics import Topic, all_topics
from bchook_studio.core.webhook import (
    BodyMode,
    ReceiverNotRunningError,
    Webhook,
    resolve_url,
)

logger = logging.getLogger(__name__)

TOPIC_PLACEHOLDER = "{topic}"
"""Replaced in the URL by each topic's key, for endpoints that route by path."""

_PLACEHOLDER = re.compile(r"\{[^{}/?#]*\}")

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 64


class CheckPlanError(ValueError):
    """A plan that cannot run; the message names the bad value."""


def unknown_placeholders(url: str) -> list[str]:
    """Return the `{name}` placeholders in `url` other than `{topic}`, once each.

    The check replaces only `{topic}`, so any other is sent as it is.
    """
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(url):
        placeholder = match.group()
        if placeholder != TOPIC_PLACEHOLDER and placeholder not in found:
            found.append(placeholder)
    return found


@dataclass(frozen=True)
class CheckPlan:
    """Everything one check run needs, apart from the HTTP clients.

    The webhook supplies the URL, format, Basic credentials, headers, user
    agent, timeouts, proxy, TLS and redirect settings. Its body and event data
    are not used, because they belong to its one topic: the body of each
    topic is `template` (the format's default template when None) rendered
    against `event`, or the topic's example event when `event` is None. An
    explicit `event` is sent for every topic, with only the template's
    `topic` name changing.
    """

    webhook: Webhook
    topics: tuple[Topic, ...] = field(default_factory=all_topics)
    """Topics to send, in the order they start and are reported."""

    template: str | None = None
    event: dict[str, Any] | None = field(default=None, repr=False)
    """Event data for every topic (parsed with `parse_event`), or None."""

    expectations: Expectations = field(default_factory=Expectations)
    concurrency: int = DEFAULT_CONCURRENCY
    """Maximum deliveries in flight at once."""

    pause_ms: int = 0
    """Minimum milliseconds between the starts of two deliveries."""

    receiver_base: str | None = None
    """Address of the running built-in receiver, such as http://127.0.0.1:8765,
    for a `receiver:` URL; None when it is stopped."""

    now: datetime | None = None
    """The time the template helpers return; None for the clock."""

    seed: int | None = None
    """Seed that fixes `studio.uuid()`; None for random UUIDs."""

    def __post_init__(self) -> None:
        if not self.topics:
            raise CheckPlanError("the check has no topics; choose at least one topic")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise CheckPlanError(
                f"invalid concurrency {self.concurrency}; use 1 to {MAX_CONCURRENCY}"
            )
        if self.pause_ms < 0:
            raise CheckPlanError(
                f"invalid pause of {self.pause_ms} ms; use 0 ms or more"
            )

    @classmethod
    def from_webhook(cls, webhook: Webhook, **changes: Any) -> "CheckPlan":
        """Return the plan that checks every topic with a webhook's settings.

        A webhook in template mode lends its template. A raw body belongs to
        one topic, so a webhook in raw mode is checked with the default
        template. `changes` sets other fields, such as `topics` or
        `expectations`.
        """
        template = None
        if webhook.body_mode is BodyMode.TEMPLATE and webhook.body.strip():
            template = webhook.body
        changes.setdefault("template", template)
        return cls(webhook=webhook, **changes)

    def with_changes(self, **changes: Any) -> "CheckPlan":
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    @property
    def url(self) -> str:
        """The URL as configured, `{topic}` and `receiver:` included."""
        return self.webhook.url

    @property
    def body_format(self) -> BodyFormat:
        return self.webhook.body_format

    def masked_url(self, url: str | None = None) -> str:
        """Return `url` (default: the resolved URL) with its secrets masked."""
        return mask_url(
            self.resolved_url() if url is None else url,
            self.webhook.secret_query_parameters,
        )

    def resolved_url(self) -> str:
        """Return the URL with a `receiver:` target made concrete, `{topic}` kept.

        The URL stays as configured when the receiver address is not known.
        """
        try:
            return resolve_url(self.url, self.receiver_base)
        except ReceiverNotRunningError:
            return self.url

    def template_text(self) -> str:
        """Return the template each topic's body is rendered from."""
        if self.template is None:
            return default_template(self.body_format)
        return self.template

    def topic_url(self, topic: Topic) -> str:
        """Return the URL a topic is sent to.

        Raises ReceiverNotRunningError for a `receiver:` URL when
        `receiver_base` is None.
        """
        url = resolve_url(self.url, self.receiver_base)
        return url.replace(TOPIC_PLACEHOLDER, topic.key)

    def render_body(self, topic: Topic) -> RenderResult:
        """Render the body of one topic, checking that it is well formed.

        Runs the template engine, so call it from a worker thread in the app.
        """
        if self.event is None:
            event = parse_event(topic.example_text())
        else:
            event = copy.deepcopy(self.event)
        return render_template(
            self.template_text(),
            event,
            self.body_format,
            topic=topic,
            now=self.now,
            seed=self.seed,
        )
