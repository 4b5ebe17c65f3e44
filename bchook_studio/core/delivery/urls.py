"""Checks on a webhook URL before anything is sent."""

import httpx


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

    try:
        url = httpx.URL(stripped)
    except httpx.InvalidURL as exc:
        raise InvalidUrlError(f"The URL {stripped!r} is invalid: {exc}.") from exc

    if url.scheme not in {"http", "https"}:
        raise InvalidUrlError(
            f"The URL {stripped!r} uses the scheme {url.scheme!r}; webhooks are sent "
            "over http:// or https:// only."
        )
    if not url.host:
        raise InvalidUrlError(f"The URL {stripped!r} has no host name.")
    return url
