"""What one delivery sends: the request model and the checks made before sending."""

import base64
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bchook_studio import __version__
from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps
from bchook_studio.core.delivery.proxies import ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.tls import TlsSetting

if TYPE_CHECKING:
    from bchook_studio.core.webhook import HeaderRow

DEFAULT_USER_AGENT = f"BrainCertHookStudio/{__version__}"
DEFAULT_ACCEPT_ENCODING = "gzip, deflate"
FORBIDDEN_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

# Parts of header and query parameter names that carry credentials by
# convention (X-Api-Key, X-Auth-Token, X-Webhook-Secret, ?access_token=…).
# Their values are masked like the ones the user marks secret.
_SECRET_NAME_PARTS = (
    "auth",
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "credential",
    "session",
    "cookie",
    "apikey",
    "api-key",
    "api_key",
)
_SECRET_QUERY_NAMES = frozenset({"key", "sig", "pwd", "pass", "code"})


@functools.lru_cache(maxsize=1024)
def is_secret_header(name: str) -> bool:
    """True for a header whose value is a credential by name or by convention.

    Cached, because every send and every history record checks the same few
    names.
    """
    lower = name.strip().lower()
    return (
        lower in SECRET_HEADERS
        or lower.endswith("-key")
        or any(part in lower for part in _SECRET_NAME_PARTS)
    )


def is_secret_query_parameter(name: str) -> bool:
    """True for a query parameter whose value is a credential by convention."""
    lower = name.strip().lower()
    return lower in _SECRET_QUERY_NAMES or any(
        part in lower for part in _SECRET_NAME_PARTS
    )


# RFC 9110 token characters for a field name.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# HTTP's optional white space (OWS): space and horizontal tab.
_OPTIONAL_WHITESPACE = " \t"

# C0 controls except tab, DEL, and the C1 controls that some terminals obey.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class RequestProblem(ValueError):
    """A webhook setting that makes the request impossible to send."""


@dataclass(frozen=True)
class BasicAuth:
    """HTTP Basic credentials, sent encoded as UTF-8."""

    username: str
    password: str = field(repr=False)

    def header_value(self) -> str:
        """Return the Authorization header value for these credentials."""
        if ":" in self.username:
            raise RequestProblem(
                f"the username {self.username!r} contains ':', which HTTP Basic "
                "authentication cannot carry. Remove the colon."
            )
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for each network operation and for the whole exchange."""

    operation: float = 30.0
    """Connect, each read and each write."""

    total: float = 120.0
    """Deadline from the start of the request to the last byte of the answer."""

    def __post_init__(self) -> None:
        for name, seconds in (("operation", self.operation), ("total", self.total)):
            if not math.isfinite(seconds) or seconds <= 0:
                raise ValueError(
                    f"the {name} timeout {seconds:g} is invalid; use a number of "
                    "seconds greater than 0"
                )


@dataclass(frozen=True)
class OutgoingRequest:
    """One POST as a webhook sender makes it, before it is put on the wire."""

    url: str
    body: bytes
    content_type: str
    auth: BasicAuth | None = None
    headers: tuple[tuple[str, str], ...] = ()
    """Custom headers; each replaces a default header of the same name."""

    user_agent: str = DEFAULT_USER_AGENT
    timeouts: Timeouts = field(default_factory=Timeouts)
    caps: SizeCaps = DEFAULT_CAPS
    secret_headers: frozenset[str] = frozenset()
    """Lower-case names of custom headers whose values are masked for display."""

    proxy: ProxySetting = field(default_factory=ProxySetting)
    tls: TlsSetting = field(default_factory=TlsSetting)
    redirects: RedirectSetting = field(default_factory=RedirectSetting)
    method: str = "POST"

    def wire_headers(self) -> list[tuple[str, bytes]]:
        """Return the headers to send, defaults first, with custom ones applied.

        Raises RequestProblem for a header that cannot be sent.
        """
        defaults: list[tuple[str, str]] = [
            ("Content-Type", self.content_type),
            ("User-Agent", self.user_agent),
            ("Accept", "*/*"),
            ("Accept-Encoding", DEFAULT_ACCEPT_ENCODING),
        ]
        if self.auth is not None:
            defaults.append(("Authorization", self.auth.header_value()))

        custom = [check_header(name, value) for name, value in self.headers]
        custom_names = {name.lower() for name, _ in custom}
        merged = [(n, v) for n, v in defaults if n.lower() not in custom_names]
        merged.extend(custom)
        return [(name, value.encode("utf-8")) for name, value in merged]

    def masked_names(self) -> frozenset[str]:
        """Return the lower-case header names whose values are hidden in displays."""
        conventional = {
            name.strip().lower() for name, _ in self.headers if is_secret_header(name)
        }
        return SECRET_HEADERS | self.secret_headers | conventional


def check_header(name: str, value: str) -> tuple[str, str]:
    """Return a custom header with surrounding spaces and tabs removed, or raise.

    Only space and tab are removed, as HTTP trims optional white space (OWS,
    RFC 9110 section 5.6.3). `str.strip` would also remove characters such as
    U+0085 and U+00A0, changing the value without a word. Values may contain
    any Unicode text except control characters other than tab, because RFC
    9110 section 5.5 forbids them in field values. Non-ASCII characters are
    sent as UTF-8 bytes.
    """
    name = name.strip(_OPTIONAL_WHITESPACE)
    value = value.strip(_OPTIONAL_WHITESPACE)
    if not name:
        raise RequestProblem(f"a custom header with the value {value!r} has no name.")
    if not _HEADER_NAME.fullmatch(name):
        raise RequestProblem(
            f"the header name {name!r} is invalid: use letters, digits and "
            "!#$%&'*+-.^_`|~ only, with no spaces or colon."
        )
    if name.lower() in FORBIDDEN_HEADERS:
        raise RequestProblem(
            f"the header {name!r} is set by Hook Studio from the URL and body. "
            "Remove it from the custom headers."
        )
    if any(char in value for char in "\r\n\0"):
        raise RequestProblem(
            f"the value of header {name!r} contains a line break or NUL character. "
            "Put the value on one line."
        )
    control = _CONTROL_CHARACTER.search(value)
    if control is not None:
        raise RequestProblem(
            f"the value of header {name!r} contains the control character "
            f"U+{ord(control.group()):04X}, which HTTP does not allow in a header. "
            "Remove it; only tab is allowed."
        )
    return name, value


def header_problems(rows: Iterable["HeaderRow"]) -> list[str]:
    """Return one message per enabled header row that `check_header` rejects."""
    messages = []
    for row in rows:
        if not row.enabled:
            continue
        try:
            check_header(row.name, row.value)
        except RequestProblem as exc:
            messages.append(str(exc))
    return messages


def repeated_headers(names: Iterable[str]) -> list[tuple[int, int]]:
    """Return (index, earlier index) for each header name that repeats an earlier one.

    Letter case is ignored, as HTTP ignores it in field names, and so are
    surrounding spaces. Empty names are skipped. Repeated headers are all sent,
    as separate header lines, and servers differ in which one they read.
    """
    first_index: dict[str, int] = {}
    repeats = []
    for index, name in enumerate(names):
        key = name.strip().lower()
        if not key:
            continue
        earlier = first_index.setdefault(key, index)
        if earlier != index:
            repeats.append((index, earlier))
    return repeats


def parse_header_line(line: str) -> tuple[str, str]:
    """Split a `Name: value` line as given on the command line, or raise."""
    name, colon, value = line.partition(":")
    if not colon:
        raise RequestProblem(
            f"the header {line!r} has no colon. Write it as 'Name: value'."
        )
    return check_header(name, value)


def mask_header_value(name: str, value: str) -> str:
    """Return `value` with its secret part hidden: the scheme stays, the rest goes."""
    from bchook_studio.core.logs import MASK

    scheme, space, _credentials = value.partition(" ")
    if name.lower() in {"authorization", "proxy-authorization"} and space:
        return f"{scheme} {MASK}"
    return MASK
