"""Stable identifiers for the ways a delivery can fail.

History, reports and the CLI write these values. New kinds may be added, but an
existing value is never renamed.
"""

from enum import StrEnum


class FailureKind(StrEnum):
    """Why a delivery produced no complete answer."""

    INVALID_URL = "invalid_url"
    INVALID_REQUEST = "invalid_request"
    DNS = "dns"
    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    WRITE_TIMEOUT = "write_timeout"
    TOTAL_TIMEOUT = "total_timeout"
    TLS = "tls"
    PROXY = "proxy"
    RESET = "reset"
    PROTOCOL = "protocol"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    DECODING = "decoding"
    CANCELLED = "cancelled"
