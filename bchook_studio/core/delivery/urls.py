"""Checks on a webhook URL before anything is sent.

httpx is imported by the checks themselves, so that importing this module for
InvalidUrlError costs nothing at start-up.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

SUPPORTED_SCHEMES = frozenset({"http", "https"})

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
"""White space (str.isspace) and the C0 and C1 control characters (category Cc)."""


class InvalidUrlError(ValueError):
    """A URL that cannot be sent to, with a message naming it and the fix."""


def check_url(text: str) -> httpx.URL:
    """Return `text` as an httpx URL, or raise InvalidUrlError saying what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise InvalidUrlError("The URL is empty. Enter an http:// or https:// URL.")
    check_url_characters(stripped)
    if "://" not in stripped:
        raise InvalidUrlError(
            f"The URL {stripped!r} has no scheme. Start it with http:// or https://."
        )
    return check_absolute_url(stripped, f"The URL {stripped!r}")


def check_url_characters(text: str) -> None:
    """Raise InvalidUrlError when `text` contains a space or control character
    between its first and last visible characters."""
    stripped = text.strip()
    found = _SPACE_OR_CONTROL.search(stripped)
    if found is None:
        return
    char = found.group()
    if char == " ":
        raise InvalidUrlError(
            f"The URL {stripped!r} contains a space. Encode spaces as %20."
        )
    raise InvalidUrlError(
        f"The URL {stripped!r} contains the control character or white "
        f"space U+{ord(char):04X}. Remove it, or encode it as "
        f"%{ord(char):02X} if it belongs in the URL."
    )


def invalid_url_error(
    text: str, subject: str, exc: Exception, *, from_server: bool = False
) -> InvalidUrlError:
    """Return the error for `text` that httpx could not parse, naming `subject`.

    An IPv6 host whose bracket is not closed gets its own message, because
    httpx reports it as an invalid port. Pass `from_server` for a URL that a
    server sent, such as a Location header, which the user cannot correct.
    """
    if _has_unclosed_bracket(text):
        problem = (
            f"{subject} has a host that is not a valid IPv6 address: the bracket "
            "after [ is not closed."
        )
        if from_server:
            return InvalidUrlError(f"{problem} The server's owner has to correct it.")
        scheme = text.partition(":")[0].lower()
        if scheme not in SUPPORTED_SCHEMES:
            scheme = "http"
        return InvalidUrlError(f"{problem} Write it as {scheme}://[::1]:8080/.")
    # The idna package raises its own ValueError subclasses for bad host names.
    return InvalidUrlError(f"{subject} is invalid: {exc}.")


def _has_unclosed_bracket(text: str) -> bool:
    """Return True when the host of `text` starts with [ and has no closing ]."""
    if text.startswith("//"):
        after_scheme = text[2:]
    elif "://" in text:
        after_scheme = text.split("://", 1)[1]
    else:
        return False
    authority = re.split(r"[/?#]", after_scheme, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    return host.startswith("[") and "]" not in host


def check_absolute_url(
    text: str, subject: str, *, from_server: bool = False
) -> httpx.URL:
    """Return `text` parsed, or raise InvalidUrlError naming it as `subject`.

    Redirect targets go through this check too, with `from_server`, so a
    Location header gets the same scheme, host and port checks as a URL the user
    typed.
    """
    import httpx

    try:
        url = httpx.URL(text)
        # httpx decodes an IDNA host name only when .host is read.
        host = url.host
    except (httpx.InvalidURL, ValueError) as exc:
        raise invalid_url_error(text, subject, exc, from_server=from_server) from exc

    if url.scheme not in SUPPORTED_SCHEMES:
        raise InvalidUrlError(
            f"{subject} uses the scheme {url.scheme!r}; webhooks are sent over "
            "http:// or https:// only."
        )
    if not host:
        raise InvalidUrlError(
            f"{subject} has no host name. Put the host after the scheme, such as "
            "https://example.com/webhook or http://127.0.0.1:8765/webhook."
        )
    if url.port is not None and not 0 < url.port < 65536:
        raise InvalidUrlError(
            f"{subject} has the port {url.port}, which does not exist. Use a port "
            "from 1 to 65535."
        )
    return url
