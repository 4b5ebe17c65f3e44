"""HTTP Basic credentials: what a request carried and what a rule requires."""

import base64
import binascii
from dataclasses import dataclass, field
from typing import NamedTuple


class BasicCredentials(NamedTuple):
    """Credentials decoded from an `Authorization: Basic` header."""

    username: str
    password: str
    charset: str
    """The charset that decoded them: "utf-8", or "latin-1" when that failed."""


@dataclass(frozen=True)
class RequiredCredentials:
    """The username and password a rule requires, compared as text."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if ":" in self.username:
            raise ValueError(
                f"the username {self.username!r} contains ':', which HTTP Basic "
                "authentication cannot carry. Remove the colon."
            )

    def accepts(self, offered: BasicCredentials | None) -> bool:
        """True when `offered` carries this username and password."""
        if offered is None:
            return False

        # hmac loads hashlib and OpenSSL, which the window's start-up does
        # not otherwise need.
        import hmac

        # Compare both fields every time so the check takes the same time
        # whichever of them is wrong.
        same_user = hmac.compare_digest(
            offered.username.encode("utf-8"), self.username.encode("utf-8")
        )
        same_password = hmac.compare_digest(
            offered.password.encode("utf-8"), self.password.encode("utf-8")
        )
        return same_user and same_password


def decode_basic_credentials(value: str | None) -> BasicCredentials | None:
    """Decode an Authorization header value, or return None if it is not Basic.

    The base64 text is decoded as UTF-8 (RFC 7617) and, when those bytes are
    not valid UTF-8, as latin-1, which older clients use. None means a
    missing header, another scheme, invalid base64 or a pair without a colon.
    """
    if value is None:
        return None
    scheme, _, encoded = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None

    try:
        pair = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None

    try:
        text, charset = pair.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, charset = pair.decode("latin-1"), "latin-1"

    username, colon, password = text.partition(":")
    if not colon:
        return None
    return BasicCredentials(username, password, charset)
