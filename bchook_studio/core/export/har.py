"""Deliveries as an HTTP Archive (HAR 1.2) file.

Every field that HAR 1.2 marks required is written with its type. Header sizes,
which the studio does not measure, are -1 as the format allows. The `send`
timing is 0 because the format allows no -1 there. `wait` runs to the response
headers and `receive` from there to the end, so the timings add up to `time`.

A delivery without a response gets one with status 0 and the failure in
`_error`. HAR allows custom fields whose names start with an underscore.
"""

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bchook_studio import __version__
from bchook_studio.core.delivery.result import DeliveryResult, ReceivedResponse
from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.export.requests import RequestRecord, from_sent
from bchook_studio.core.text_decoding import decode_body

HAR_VERSION = "1.2"
CREATOR_NAME = "BrainCert Hook Studio"
DEFAULT_HTTP_VERSION = "HTTP/1.1"


@dataclass(frozen=True)
class HarItem:
    """One delivery to write as a HAR entry."""

    result: DeliveryResult
    request: RequestRecord | None = None
    """The request to write; None writes `result.request` masked."""

    comment: str = ""


def har_document(items: Iterable[HarItem]) -> dict[str, Any]:
    """Return a HAR 1.2 document (the JSON object) with one entry per item."""
    entries = [_entry(item) for item in items]
    entries.sort(key=lambda entry: entry["startedDateTime"])
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": CREATOR_NAME, "version": __version__},
            "entries": entries,
        }
    }


def har_text(
    result: DeliveryResult, request: RequestRecord | None = None, comment: str = ""
) -> str:
    """Return one delivery as HAR 1.2 JSON text with a final new line."""
    document = har_document([HarItem(result, request, comment)])
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def har_time(moment: datetime) -> str:
    """Return `moment` in the ISO 8601 form HAR uses, in UTC with milliseconds."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _entry(item: HarItem) -> dict[str, Any]:
    result = item.result
    request = item.request or _default_request(result)
    version = (
        result.response.http_version
        if result.response is not None and result.response.http_version
        else DEFAULT_HTTP_VERSION
    )
    timings = _timings(result)
    entry: dict[str, Any] = {
        "startedDateTime": har_time(result.started_at),
        # HAR requires `time` to be the sum of the timings.
        "time": timings["send"] + timings["wait"] + timings["receive"],
        "request": _request(request, version),
        "response": _response(result),
        "cache": {},
        "timings": timings,
    }
    if item.comment:
        entry["comment"] = item.comment
    return entry


def _default_request(result: DeliveryResult) -> RequestRecord:
    if result.request is not None:
        return from_sent(result.request)
    return RequestRecord("POST", mask_url(result.url), ())


def _request(request: RequestRecord, version: str) -> dict[str, Any]:
    body_size = len(request.body) if request.body_size is None else request.body_size
    data: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "httpVersion": version,
        "cookies": _request_cookies(request.header("cookie")),
        "headers": _name_values(request.headers),
        "queryString": _query_string(request.url),
        "headersSize": -1,
        "bodySize": body_size,
    }
    if request.body or request.method.upper() in {"POST", "PUT", "PATCH"}:
        data["postData"] = _post_data(request)
    return data


def _post_data(request: RequestRecord) -> dict[str, Any]:
    post: dict[str, Any] = {"mimeType": request.header("content-type") or ""}
    comments = []
    try:
        post["text"] = request.body.decode("utf-8")
    except UnicodeDecodeError:
        # HAR 1.2 has no encoding field for request bodies: the text shows the
        # body with replacement characters and `_base64` contains the exact bytes.
        post["text"] = request.body.decode("utf-8", "replace")
        post["_base64"] = base64.b64encode(request.body).decode("ascii")
        comments.append("The body is not UTF-8; _base64 contains its exact bytes.")
    if request.body_truncated:
        comments.append(
            f"The body was stored only up to {len(request.body)} of "
            f"{request.body_size} bytes."
        )
    if comments:
        post["comment"] = " ".join(comments)
    return post


def _response(result: DeliveryResult) -> dict[str, Any]:
    response = result.response
    if response is None:
        data: dict[str, Any] = {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        }
    else:
        data = {
            "status": response.status,
            "statusText": response.reason,
            "httpVersion": response.http_version or DEFAULT_HTTP_VERSION,
            "cookies": _response_cookies(response),
            "headers": _name_values(response.headers),
            "content": _content(response),
            "redirectURL": response.header("location") or "",
            "headersSize": -1,
            "bodySize": _body_size(response),
        }
    if result.failure is not None:
        failure = result.failure
        data["_error"] = f"{failure.kind.value}: {failure.message}"
        data["comment"] = failure.message
    return data


def _content(response: ReceivedResponse) -> dict[str, Any]:
    content: dict[str, Any] = {
        "size": response.size,
        "mimeType": response.header("content-type") or "x-unknown",
    }
    if response.body:
        text = _lossless_text(response)
        if text is not None:
            content["text"] = text
        else:
            content["text"] = base64.b64encode(response.body).decode("ascii")
            content["encoding"] = "base64"
    if response.truncated or len(response.body) < response.size:
        content["comment"] = (
            f"The body was cut at {len(response.body)} of {response.size} bytes."
        )
    return content


def _lossless_text(response: ReceivedResponse) -> str | None:
    """Return the body as text when its charset decodes it without loss."""
    decoded = decode_body(response.body, response.header("content-type"))
    if decoded.text is None:
        return None
    try:
        return response.body.decode(decoded.charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _body_size(response: ReceivedResponse) -> int:
    # The size on the wire is known only when the body was not compressed.
    if response.header("content-encoding") is not None or response.truncated:
        return -1
    return response.size


def _timings(result: DeliveryResult) -> dict[str, float]:
    elapsed = round(max(result.elapsed_ms, 0.0), 3)
    wait = elapsed
    if result.headers_ms is not None:
        wait = round(min(max(result.headers_ms, 0.0), elapsed), 3)
    return {"send": 0.0, "wait": wait, "receive": round(elapsed - wait, 3)}


def _name_values(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _query_string(url: str) -> list[dict[str, str]]:
    query = urlsplit(url).query
    return _name_values(parse_qsl(query, keep_blank_values=True))


def _request_cookies(header: str | None) -> list[dict[str, str]]:
    if not header:
        return []
    cookies = []
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name:
            cookies.append({"name": name, "value": value})
    return cookies


def _response_cookies(response: ReceivedResponse) -> list[dict[str, str]]:
    cookies = []
    for name, value in response.headers:
        if name.lower() != "set-cookie":
            continue
        first = value.split(";", 1)[0]
        cookie_name, equals, cookie_value = first.strip().partition("=")
        if equals and cookie_name:
            cookies.append({"name": cookie_name, "value": cookie_value})
    return cookies
