"""Response rules: how the receiver responds to a request, chosen by path prefix."""

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bchook_studio.core.receiver.credentials import RequiredCredentials

MIN_STATUS = 200
MAX_STATUS = 599
MAX_DELAY_MS = 10 * 60 * 1000

# RFC 9110 token characters for a field name.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# C0 controls except tab, and DEL, which RFC 9110 section 5.5 forbids in a field
# value. h11 writes them without a check, so a client would get them.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# The receiver frames every response itself.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


class Fault(StrEnum):
    """A broken endpoint the rule imitates."""

    NONE = "none"
    HANG = "hang"
    """Never respond, and keep the connection open until the client or the
    receiver closes it."""

    DROP = "drop"
    """Read the request, then close the connection without a response."""

    SLOW = "slow"
    """Send the response in small pieces with a pause between them."""


def check_response_header(name: str, value: str) -> tuple[str, str]:
    """Return a response header with surrounding spaces and tabs removed, or raise.

    Raises ValueError for an invalid name, a framing header the receiver sets
    itself, or a value holding a line break or NUL.
    """
    # Trim only HTTP's optional white space, because str.strip() would also
    # drop characters such as U+0085 and U+00A0 from the value.
    name = name.strip(" \t")
    value = value.strip(" \t")
    if not _HEADER_NAME.fullmatch(name):
        raise ValueError(
            f"the response header name {name!r} is invalid: use letters, digits "
            "and !#$%&'*+-.^_`|~ only, with no spaces or colon."
        )
    if name.lower() in _FRAMING_HEADERS:
        raise ValueError(
            f"the response header {name!r} is set by the receiver from the body. "
            "Remove it."
        )
    if any(char in value for char in "\r\n\0"):
        raise ValueError(
            f"the value of response header {name!r} contains a line break or NUL "
            "character. Put the value on one line."
        )
    control = _CONTROL_CHARACTER.search(value)
    if control is not None:
        raise ValueError(
            f"the value of response header {name!r} contains the control character "
            f"U+{ord(control.group()):04X}, which HTTP does not allow in a header. "
            "Remove it; only tab is allowed."
        )
    return name, value


@dataclass(frozen=True)
class ResponseRule:
    """One way of responding: the requests it matches and the response it sends."""

    path_prefix: str = "/"
    """Requests whose path (the target before any `?`) starts with this text
    match. The last rule of a list matches every request whatever its prefix."""

    status: int = 200
    delay_ms: int = 0
    """Milliseconds to wait after the request has arrived, before responding or
    before the fault."""

    headers: tuple[tuple[str, str], ...] = ()
    """Response headers in order; values are sent as UTF-8."""

    body: bytes = field(default=b"", repr=False)
    credentials: RequiredCredentials | None = None
    """Basic credentials a request needs. A request without them, or with
    others, gets 401 at once, without the delay or the fault."""

    fault: Fault = Fault.NONE
    slow_interval_ms: int = 50
    """Pause between the pieces of a SLOW response."""

    name: str = ""
    """A label for people; the receiver records it with each request it responds to."""

    def __post_init__(self) -> None:
        if not self.path_prefix.startswith("/"):
            raise ValueError(
                f"the path prefix {self.path_prefix!r} does not start with '/'. "
                "Write it as a path, such as /webhook."
            )
        if not MIN_STATUS <= self.status <= MAX_STATUS:
            raise ValueError(
                f"invalid status {self.status}; use a number from {MIN_STATUS} "
                f"to {MAX_STATUS}"
            )
        if not 0 <= self.delay_ms <= MAX_DELAY_MS:
            raise ValueError(
                f"invalid delay of {self.delay_ms} ms; use 0 to {MAX_DELAY_MS} ms"
            )
        if not 1 <= self.slow_interval_ms <= 10_000:
            raise ValueError(
                f"invalid slow interval of {self.slow_interval_ms} ms; "
                "use 1 to 10000 ms"
            )
        checked = tuple(check_response_header(n, v) for n, v in self.headers)
        object.__setattr__(self, "headers", checked)
        object.__setattr__(self, "fault", Fault(self.fault))

    def matches(self, path: str) -> bool:
        """True when `path` starts with this rule's prefix."""
        return path.startswith(self.path_prefix)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-compatible values.

        The dict contains the password of required credentials in clear text, so
        a store that keeps it should move the password to the keychain.
        """
        data: dict[str, Any] = {
            "name": self.name,
            "path_prefix": self.path_prefix,
            "status": self.status,
            "delay_ms": self.delay_ms,
            "headers": [[name, value] for name, value in self.headers],
            "fault": self.fault.value,
            "slow_interval_ms": self.slow_interval_ms,
            "credentials": None,
        }
        try:
            data["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            data["body_base64"] = base64.b64encode(self.body).decode("ascii")
        if self.credentials is not None:
            data["credentials"] = {
                "username": self.credentials.username,
                "password": self.credentials.password,
            }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ResponseRule":
        """Build a rule from `to_dict` output; missing keys take their defaults.

        Raises ValueError naming the key whose value is invalid.
        """
        defaults = cls()
        try:
            credentials = _credentials_from(data.get("credentials"))
            return cls(
                path_prefix=_typed(data, "path_prefix", str, defaults.path_prefix),
                status=_typed(data, "status", int, defaults.status),
                delay_ms=_typed(data, "delay_ms", int, defaults.delay_ms),
                headers=_headers_from(data.get("headers", [])),
                body=_body_from(data),
                credentials=credentials,
                fault=_fault_from(_typed(data, "fault", str, defaults.fault.value)),
                slow_interval_ms=_typed(
                    data, "slow_interval_ms", int, defaults.slow_interval_ms
                ),
                name=_typed(data, "name", str, defaults.name),
            )
        except (TypeError, KeyError) as exc:
            raise ValueError(f"invalid response rule: {exc}") from None


def _typed(data: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(
            f"the rule field {key!r} must be of type {kind.__name__}, "
            f"not {type(value).__name__}"
        )
    return value


def _headers_from(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list | tuple):
        raise ValueError("the rule field 'headers' must be a list of [name, value]")
    pairs = []
    for item in value:
        valid = isinstance(item, list | tuple) and len(item) == 2
        if not valid or not all(isinstance(part, str) for part in item):
            raise ValueError(
                f"the rule header {item!r} is invalid; write it as [name, value]"
            )
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _body_from(data: Mapping[str, Any]) -> bytes:
    if "body_base64" in data:
        encoded = _typed(data, "body_base64", str, "")
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                "the rule field 'body_base64' is not valid base64"
            ) from None
    return _typed(data, "body", str, "").encode("utf-8")


def _fault_from(value: str) -> Fault:
    try:
        return Fault(value)
    except ValueError:
        names = ", ".join(fault.value for fault in Fault)
        raise ValueError(
            f"the rule field 'fault' has the unknown value {value!r}; use one of "
            f"{names}"
        ) from None


def _credentials_from(value: Any) -> RequiredCredentials | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(
            "the rule field 'credentials' must be null or an object with "
            "username and password"
        )
    username = _typed(value, "username", str, "")
    password = _typed(value, "password", str, "")
    return RequiredCredentials(username, password)


DEFAULT_RULE = ResponseRule(name="default")
"""The rule that responds 200 with an empty body."""


def normalize_rules(rules: Sequence[ResponseRule]) -> tuple[ResponseRule, ...]:
    """Return `rules` as a tuple; an empty sequence gives the default rule alone."""
    if not rules:
        return (DEFAULT_RULE,)
    for index, rule in enumerate(rules):
        if not isinstance(rule, ResponseRule):
            raise TypeError(
                f"rule {index} is a {type(rule).__name__}, not a ResponseRule"
            )
    return tuple(rules)


def choose_rule(rules: Sequence[ResponseRule], path: str) -> int:
    """Return the index of the first rule matching `path`, else of the last rule."""
    last = len(rules) - 1
    for index in range(last):
        if rules[index].matches(path):
            return index
    return last
