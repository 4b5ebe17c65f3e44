"""A received request as a cURL record, or as a request to send somewhere else."""

from bchook_studio.core.delivery.request import FORBIDDEN_HEADERS, OutgoingRequest
from bchook_studio.core.export.masking import MASK, mask_headers
from bchook_studio.core.export.requests import RequestRecord
from bchook_studio.core.receiver.records import ReceivedRequest

# Headers about one connection (RFC 9110 section 7.6.1) or about framing; the
# client that sends the request again sets its own.
_CONNECTION_HEADERS = FORBIDDEN_HEADERS | frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "expect",
    }
)


def request_url(request: ReceivedRequest, base_url: str | None) -> str:
    """Return the URL the client sent to: its Host header, else `base_url`.

    `base_url` is the receiver's address such as `http://127.0.0.1:8765`. When
    both are missing, the loopback address on the default port is used.
    """
    host = (request.header("host") or "").strip()
    if host:
        base = f"http://{host}"
    else:
        base = (base_url or "http://127.0.0.1:8765").rstrip("/")
    target = request.target if request.target.startswith("/") else "/"
    return base + target


def request_record(
    request: ReceivedRequest, base_url: str | None, *, show_secrets: bool = False
) -> RequestRecord:
    """Return the request for the exporters, secrets masked unless asked.

    Basic credentials decoded as UTF-8 become `basic_auth`, which cURL writes
    as `-u`. Credentials in latin-1 stay in the Authorization header, because
    `-u` would send them as UTF-8 bytes.
    """
    credentials = request.basic_credentials()
    basic_auth = None
    if credentials is not None and credentials.charset == "utf-8":
        password = credentials.password if show_secrets else MASK
        basic_auth = (credentials.username, password)
    headers = request.headers if show_secrets else mask_headers(request.headers)
    return RequestRecord(
        method=request.method,
        url=request_url(request, base_url),
        headers=headers,
        body=request.body,
        basic_auth=basic_auth,
        body_size=request.body_size if request.truncated else None,
    )


def resend_request(request: ReceivedRequest, url: str) -> OutgoingRequest:
    """Return a request that sends the same method, headers and body to `url`.

    Connection and framing headers are left out, because the sender sets its
    own. The received headers replace the sender's defaults of the same name
    (Content-Type, User-Agent, Accept, Accept-Encoding); a default the
    original request lacked is still sent.

    NOTE: header values were decoded as latin-1 on arrival and are sent as
    UTF-8, so a value with bytes above 0x7F does not go out byte for byte. A
    request that had no Content-Type goes out with an empty one.
    """
    headers = tuple(
        (name, value)
        for name, value in request.headers
        if name.lower() not in _CONNECTION_HEADERS
    )
    content_type = request.header("content-type") or ""
    return OutgoingRequest(
        url=url,
        body=request.body,
        content_type=content_type,
        headers=headers,
        method=request.method,
    )
