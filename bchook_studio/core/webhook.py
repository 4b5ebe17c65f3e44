"""A webhook as BrainCert's settings page defines it, plus the studio's options."""

from dataclasses import dataclass, field, replace
from enum import StrEnum

from bchook_studio.core.delivery.proxies import ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import (
    DEFAULT_USER_AGENT,
    BasicAuth,
    OutgoingRequest,
    Timeouts,
)
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.formats import BodyFormat

DEFAULT_TOPIC = "user.created"
DEFAULT_NAME = "New webhook"

RECEIVER_SCHEME = "receiver"
DEFAULT_RECEIVER_URL = "receiver:/webhook"
"""A URL that names the built-in receiver, resolved to its real address at send time."""


class ReceiverNotRunningError(RuntimeError):
    """A webhook targets the built-in receiver while it is stopped."""


def targets_receiver(url: str) -> bool:
    """True when `url` names the built-in receiver rather than a real endpoint."""
    return url.strip().lower().startswith(RECEIVER_SCHEME + ":")


def resolve_url(url: str, receiver_base: str | None) -> str:
    """Return the URL to send to, with a built-in receiver target made concrete.

    `receiver_base` is the running receiver's address, such as
    `http://127.0.0.1:8765`, or None when it is stopped.
    """
    if not targets_receiver(url):
        return url
    if receiver_base is None:
        raise ReceiverNotRunningError(
            "the webhook targets the built-in receiver, which is stopped. Start it "
            "in the Inbox or choose another URL."
        )
    path = url.strip()[len(RECEIVER_SCHEME) + 1 :] or "/"
    if not path.startswith("/"):
        path = "/" + path
    return receiver_base.rstrip("/") + path


class BodyMode(StrEnum):
    """How the body text becomes the bytes sent."""

    RAW = "raw"
    """The text is sent as typed, encoded as UTF-8, with no rendering."""

    TEMPLATE = "template"
    """The text is a template rendered against the event data."""


@dataclass(frozen=True)
class HeaderRow:
    """One row of the custom headers table."""

    name: str
    value: str = field(repr=False)
    enabled: bool = True
    secret: bool = False
    """True to mask the value in displays, history and exports."""


@dataclass(frozen=True)
class Webhook:
    """Everything needed to send one webhook, as the user configured it."""

    name: str = DEFAULT_NAME
    url: str = DEFAULT_RECEIVER_URL
    topic_key: str = DEFAULT_TOPIC
    body_format: BodyFormat = BodyFormat.JSON
    body_mode: BodyMode = BodyMode.RAW
    body: str = ""
    """The raw body or the template, as the editor shows it."""

    event_text: str = ""
    """The event data as JSON text; empty means the topic's example event."""

    auth_enabled: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    headers: tuple[HeaderRow, ...] = ()
    secret_query_parameters: tuple[str, ...] = ()
    """Query parameter names whose values are masked in history and exports."""
    charset_parameter: bool = False
    """True to send `; charset=utf-8` after the media type."""

    user_agent: str = DEFAULT_USER_AGENT
    timeouts: Timeouts = field(default_factory=Timeouts)
    proxy: ProxySetting = field(default_factory=ProxySetting)
    tls: TlsSetting = field(default_factory=TlsSetting)
    redirects: RedirectSetting = field(default_factory=RedirectSetting)

    @property
    def content_type(self) -> str:
        """Return the Content-Type header value this webhook sends."""
        media_type = self.body_format.content_type
        return f"{media_type}; charset=utf-8" if self.charset_parameter else media_type

    def basic_auth(self) -> BasicAuth | None:
        """Return the Basic credentials when authentication is on, else None."""
        if not self.auth_enabled:
            return None
        return BasicAuth(self.username, self.password)

    def outgoing_request(self, body: bytes, url: str | None = None) -> OutgoingRequest:
        """Return the request that sends `body` with this webhook's settings.

        `url` overrides the webhook's own, for a target resolved at send time.
        """
        headers = tuple((row.name, row.value) for row in self.headers if row.enabled)
        secret = frozenset(
            row.name.strip().lower() for row in self.headers if row.secret
        )
        return OutgoingRequest(
            url=self.url if url is None else url,
            body=body,
            content_type=self.content_type,
            auth=self.basic_auth(),
            headers=headers,
            user_agent=self.user_agent,
            timeouts=self.timeouts,
            secret_headers=secret,
            proxy=self.proxy,
            tls=self.tls,
            redirects=self.redirects,
        )

    def with_changes(self, **changes: object) -> "Webhook":
        """Return a copy with some fields replaced."""
        return replace(self, **changes)
