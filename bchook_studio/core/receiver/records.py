"""One request as the receiver recorded it."""

from dataclasses import dataclass, field
from datetime import datetime

from bchook_studio.core.receiver.credentials import (
    BasicCredentials,
    decode_basic_credentials,
)
from bchook_studio.core.receiver.rules import Fault

UNKNOWN = "-"
"""The method, target or HTTP version of a request too malformed to have one."""


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """A request in full: what arrived, and how the receiver responded."""

    id: int
    """Increasing number given by the request log, starting at 1."""

    time: datetime
    """When the request line and headers had arrived, in UTC."""

    client_host: str
    client_port: int
    method: str
    target: str
    """The request target as sent, query included, decoded as latin-1."""

    http_version: str
    """"1.1" or "1.0"."""

    headers: tuple[tuple[str, str], ...] = field(repr=False)
    """Headers in the order received, repeats kept, names as sent, decoded as
    latin-1 so that every byte is preserved. Left out of the repr because they
    may carry credentials."""

    body: bytes = field(repr=False)
    body_size: int
    """Bytes of body the receiver read, kept or not. A body rejected before
    it was read counts 0, and `declared_size` gives the size announced."""

    status: int | None
    """The status sent, or to be sent once the rule's delay is over. None when
    no response is sent (a HANG or DROP fault, or a client that left)."""

    rule_index: int | None = None
    """Position of the rule that responded, or None when the receiver responded
    itself (a rejected or incomplete request)."""

    rule_name: str = ""
    fault: Fault = Fault.NONE
    truncated: bool = False
    """True when `body` has fewer bytes than `body_size`."""

    declared_size: int | None = None
    """The body size that Content-Length declared, or None without one (a
    chunked body, or a Content-Length that Transfer-Encoding overrides)."""

    rejection: str | None = None
    """Why the receiver rejected the request instead of applying a rule: a
    malformed request, a limit exceeded, a timeout or a client that left."""

    @property
    def path(self) -> str:
        """Return the target without its query."""
        return self.target.split("?", 1)[0]

    @property
    def stored_size(self) -> int:
        """Return the approximate bytes this record holds: body, headers, target."""
        header_bytes = sum(len(name) + len(value) + 4 for name, value in self.headers)
        return len(self.body) + header_bytes + len(self.target)

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lower-case, or ''."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    def basic_credentials(self) -> BasicCredentials | None:
        """Return the Basic credentials sent, or None when absent or malformed."""
        return decode_basic_credentials(self.header("authorization"))
