"""Checks on a webhook URL before anything is sent."""

import httpx

SUPPORTED_SCHEMES = frozenset({"http", "https"})


class InvalidUrlError(ValueError):
    """A URL that cannot be sent to, with a message naming it and the fix."""


def check_url(text: str) -> httpx.URL:
    """Return `text` as an httpx URL, or raise InvalidUrlError saying what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise InvalidUrlError("The URL is empty. Enter an http:// or https:// URL.")
    if any(char.isspace() for char in stripped):
        raise InvalidUrlError(
            f"The URL {stripped!r} contains a space. Encode spaces as %20."
        )
    if "://" not in stripped:
        raise InvalidUrlError(
            f"The URL {stripped!r} has no scheme. Start it with http:// or https://."
        )
    return check_absolute_url(stripped, f"The URL {stripped!r}")


def check_absolute_url(text: str, subject: str) -> httpx.URL:
    """Return `text` parsed, or raise InvalidUrlError naming it as `subject`.

    Redirect targets go through this check too, so a Location header gets the
    same scheme, host and port checks as a URL the user typed.
    """
    try:
        url = httpx.URL(text)
        # httpx decodes an IDNA host name only when .host is read.
        host = url.host
    except (httpx.InvalidURL, ValueError) as exc:
        # The idna package raises its own ValueError subclasses for bad host names.
        raise InvalidUrlError(f"{subject} is invalid: {exc}.") from exc

    if url.scheme not in SUPPORTED_SCHEMES:
        raise InvalidUrlError(
            f"{subject} uses the scheme {url.scheme!r}; webhooks are sent over "
            "http:// or https:// only."
        )
    if not host:
        raise InvalidUrlError(f"{subject} has no host name.")
    if url.port is not None and not 0 < url.port < 65536:
        raise InvalidUrlError(
            f"{subject} has the port {url.port}, which does not exist. Use a port "
            "from 1 to 65535."
        )
    return url
