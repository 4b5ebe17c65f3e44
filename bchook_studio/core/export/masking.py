"""Masking of secrets in requests, shared by the history and the exports.

A masked value is replaced by `MASK` ("********") in place, so a masked cURL
command still runs without prompting.
"""

import base64
import binascii
from collections.abc import Iterable
from urllib.parse import unquote_plus

from bchook_studio.core.delivery.request import (
    SECRET_HEADERS,
    is_secret_header,
    is_secret_query_parameter,
    mask_header_value,
)
from bchook_studio.core.logs import MASK

Headers = tuple[tuple[str, str], ...]

__all__ = [
    "MASK",
    "basic_credentials",
    "mask_headers",
    "mask_url",
    "url_secret_values",
]


def mask_url(url: str, secret_query_parameters: Iterable[str] = ()) -> str:
    """Return `url` with the user-info password and secret query values masked.

    Query parameter names match without regard to case, and parameters whose
    names carry credentials by convention (`access_token`, `api_key`, `sig`…)
    are masked too. Everything else in the URL stays byte for byte as it was.
    """
    parts = _UrlParts(url)
    password_span = parts.password_span()
    names = {name.lower() for name in secret_query_parameters}

    pieces = []
    cursor = 0
    if password_span is not None:
        pieces.append(url[cursor : password_span[0]] + MASK)
        cursor = password_span[1]
    for start, end in parts.secret_value_spans(names):
        pieces.append(url[cursor:start] + MASK)
        cursor = end
    pieces.append(url[cursor:])
    return "".join(pieces)


def url_secret_values(
    url: str, secret_query_parameters: Iterable[str] = ()
) -> list[str]:
    """Return the raw text of each secret in `url`, as `mask_url` would mask it."""
    parts = _UrlParts(url)
    names = {name.lower() for name in secret_query_parameters}
    spans = list(parts.secret_value_spans(names))
    password_span = parts.password_span()
    if password_span is not None:
        spans.insert(0, password_span)
    return [url[start:end] for start, end in spans]


def mask_headers(
    headers: Iterable[tuple[str, str]], secret_names: Iterable[str] = ()
) -> Headers:
    """Return `headers` with the values of secret headers masked.

    Authorization, Proxy-Authorization, Cookie and names that carry
    credentials by convention (X-Api-Key, X-Auth-Token…) are always secret;
    the names in `secret_names` (any case) are secret too.
    """
    secret = SECRET_HEADERS | {name.lower() for name in secret_names}
    return tuple(
        (name, mask_header_value(name, value))
        if name.lower() in secret or is_secret_header(name)
        else (name, value)
        for name, value in headers
    )


def basic_credentials(header_value: str) -> tuple[str, str] | None:
    """Return (username, password) from a Basic Authorization value, or None.

    A masked value such as `Basic ********` gives None, because the username
    cannot be read back from it.
    """
    scheme, _, encoded = header_value.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon:
        return None
    return username, password


class _UrlParts:
    """Offsets of the user-info and the query inside a URL string."""

    def __init__(self, url: str) -> None:
        self.url = url
        scheme_end = url.find("://")
        self.authority_start = -1 if scheme_end < 0 else scheme_end + 3
        self.authority_end = self._authority_end()

        query_start = url.find("?", max(self.authority_end, 0))
        fragment_start = url.find("#", max(self.authority_end, 0))
        if fragment_start >= 0 and 0 <= fragment_start < query_start:
            query_start = -1
        self.query_start = query_start
        self.query_end = len(url) if fragment_start < query_start else fragment_start

    def _authority_end(self) -> int:
        if self.authority_start < 0:
            return 0
        end = len(self.url)
        for delimiter in "/?#":
            index = self.url.find(delimiter, self.authority_start)
            if index >= 0:
                end = min(end, index)
        return end

    def password_span(self) -> tuple[int, int] | None:
        """Return the span of the user-info password, or None when there is none."""
        if self.authority_start < 0:
            return None
        authority = self.url[self.authority_start : self.authority_end]
        at = authority.rfind("@")
        if at < 0:
            return None
        colon = authority.find(":", 0, at)
        if colon < 0 or colon + 1 == at:
            return None
        return self.authority_start + colon + 1, self.authority_start + at

    def secret_value_spans(self, names: set[str]) -> Iterable[tuple[int, int]]:
        """Yield the spans of the values of query parameters named in `names`."""
        if self.query_start < 0:
            return
        position = self.query_start + 1
        while position <= self.query_end:
            end = self.url.find("&", position, self.query_end)
            if end < 0:
                end = self.query_end
            pair = self.url[position:end]
            name, equals, value = pair.partition("=")
            decoded = unquote_plus(name)
            secret = decoded.lower() in names or is_secret_query_parameter(decoded)
            if equals and value and secret:
                value_start = position + len(name) + 1
                yield value_start, end
            position = end + 1
