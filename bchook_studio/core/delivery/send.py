"""Send one webhook and return what happened, as a result and never as an exception.

The send is a chain of small steps: check the URL, build the headers, pick the
client for the proxy and TLS setting, send, read the body under the capture cap,
and build the result. Redirects are followed only when the webhook's setting is
on, each hop through the same steps.
"""

import asyncio
import logging
from dataclasses import dataclass, field, replace

import httpx

from bchook_studio.core.delivery.body_capture import (
    CappedBody,
    capped_body,
    read_body,
)
from bchook_studio.core.delivery.clients import ClientPool, restore_headers
from bchook_studio.core.delivery.failures import classify, host_port
from bchook_studio.core.delivery.handle import Clock, PartialResult
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.probes import probe_auth_schemes, probe_tls_alert
from bchook_studio.core.delivery.proxies import (
    ProxySettingError,
    basic_proxy_credentials,
    mask_proxy_url,
    proxy_display,
    resolve_proxy,
)
from bchook_studio.core.delivery.proxy_auth import auth_schemes, describe_proxy_auth
from bchook_studio.core.delivery.redirects import (
    NextRequest,
    RedirectHop,
    is_redirect,
    origin,
    plan_redirect,
    repeated_url,
)
from bchook_studio.core.delivery.request import (
    BasicAuth,
    OutgoingRequest,
    RequestProblem,
)
from bchook_studio.core.delivery.result import (
    DeliveryResult,
    Failure,
    ReceivedResponse,
    SentRequest,
)
from bchook_studio.core.delivery.tls import TlsSetting, TlsSettingError
from bchook_studio.core.delivery.tls_messages import describe_tls_error
from bchook_studio.core.delivery.urls import InvalidUrlError, check_url
from bchook_studio.core.logs import register_secret

logger = logging.getLogger(__name__)

_PROBE_MAX_SECONDS = 1.5
"""Maximum seconds to wait for a probe that explains a failure (see probes.py)."""


@dataclass
class _BodyReading:
    """The last response and its body as read so far, kept for the result."""

    response: httpx.Response
    collected: CappedBody
    failure: Failure | None
    """The failure already known before the body was read, if any."""

    done: bool = False
    """True once reading ended without being cancelled, at the end of the body,
    at the capture cap or on a transport error."""


@dataclass
class _Progress:
    """The state of a delivery in progress, kept for the result however it ends."""

    url: httpx.URL
    """URL of the request in flight."""

    proxy: str | None = None
    """Proxy of the request in flight, credentials included."""

    first_proxy: str | None = None
    sent: SentRequest | None = None
    hops: list[RedirectHop] = field(default_factory=list)
    headers_ms: float | None = None
    awaiting_headers: bool = False
    """True between sending a request and receiving its response headers."""

    https_used: bool = False
    reading: _BodyReading | None = None
    """Set once the body of the last response is being read."""


async def deliver(
    request: OutgoingRequest,
    pool: ClientPool,
    partial: PartialResult | None = None,
) -> DeliveryResult:
    """Send `request` and return the result; failures are results too.

    Cancelling the task that runs this coroutine cancels the exchange and
    raises CancelledError as usual; `DeliveryHandle` turns that into a result,
    with what arrived so far through `partial`.
    """
    clock = Clock()

    try:
        url, request = _credentials_from_url(check_url(request.url), request)
        headers = request.wire_headers()
    except InvalidUrlError as exc:
        failure = Failure(FailureKind.INVALID_URL, str(exc))
        return _failed(request, clock, failure)
    except RequestProblem as exc:
        failure = Failure(FailureKind.INVALID_REQUEST, _sentence(str(exc)))
        return _failed(request, clock, failure)

    progress = _Progress(url)
    if partial is not None:
        partial.build = lambda failure: _cut_result(request, clock, progress, failure)
    deadline = asyncio.timeout(request.timeouts.total)
    try:
        async with deadline:
            return await _exchange(pool, request, headers, progress, clock)
    except TlsSettingError as exc:
        failure = Failure(FailureKind.TLS, str(exc))
    except ProxySettingError as exc:
        failure = Failure(FailureKind.PROXY, str(exc))
    except TimeoutError as exc:
        if not deadline.expired():
            failure = await _classified(exc, pool, request, progress, clock)
        else:
            failure = _total_timeout(request, progress)
            if progress.reading is not None:
                return _read_result(request, clock, progress, progress.reading, failure)
    except (httpx.HTTPError, OSError) as exc:
        failure = await _classified(exc, pool, request, progress, clock)
    return _failed(request, clock, failure, progress)


def _cut_result(
    request: OutgoingRequest, clock: Clock, progress: _Progress, failure: Failure
) -> DeliveryResult | None:
    """Return the result of a body cut short by `failure`, or None when no body
    is being read."""
    reading = progress.reading
    if reading is None or reading.done:
        return None
    return _read_result(request, clock, progress, reading, failure)


def _total_timeout(request: OutgoingRequest, progress: _Progress) -> Failure:
    return Failure(
        FailureKind.TOTAL_TIMEOUT,
        f"The exchange with {host_port(progress.url)} did not finish "
        f"within the total deadline of {request.timeouts.total:g} s. Raise "
        "the deadline or check why the endpoint is slow.",
    )


def _credentials_from_url(
    url: httpx.URL, request: OutgoingRequest
) -> tuple[httpx.URL, OutgoingRequest]:
    """Move user-info out of the URL into Basic credentials.

    httpx would add the Authorization header itself while sending, after the
    request as sent has been recorded, so the record would lack it. The
    webhook's own credentials win over ones in the URL.
    """
    if not url.userinfo:
        return url, request

    stripped = url.copy_with(username=None, password=None)
    if request.auth is None and url.username:
        register_secret(url.password)
        request = replace(request, auth=BasicAuth(url.username, url.password))
    return stripped, request


def _classify(
    exc: BaseException, request: OutgoingRequest, progress: _Progress
) -> Failure:
    """Return the Failure for `exc`, raised while exchanging with `progress.url`."""
    return classify(
        exc,
        progress.url,
        request.timeouts.operation,
        proxy=proxy_display(progress.proxy),
        client_cert=bool(request.tls.client_cert),
    )


async def _classified(
    exc: BaseException,
    pool: ClientPool,
    request: OutgoingRequest,
    progress: _Progress,
    clock: Clock,
) -> Failure:
    failure = _classify(exc, request, progress)
    failure = await _explained(failure, exc, pool, request, progress, clock)
    logger.info(
        "delivery to %s failed: %s (%s)",
        progress.url.host,
        failure.kind,
        failure.detail,
    )
    return failure


async def _exchange(
    pool: ClientPool,
    request: OutgoingRequest,
    headers: list[tuple[str, bytes]],
    progress: _Progress,
    clock: Clock,
) -> DeliveryResult:
    """Send the request, and follow redirects when the webhook's setting is on."""
    method: str = request.method
    body: bytes | None = request.body
    while True:
        response = await _send_one(pool, request, method, body, headers, progress)
        progress.headers_ms = clock.elapsed_ms()

        location = response.headers.get("location") or ""
        followed = request.redirects.follow and is_redirect(
            response.status_code, location
        )
        if not followed:
            return await _finish(response, request, progress, clock)

        planned = _plan_next(
            request, progress, method, body, headers, response, location
        )
        if isinstance(planned, Failure):
            return await _finish(response, request, progress, clock, planned)

        await response.aclose()
        method, body, headers = planned.method, planned.body, planned.headers
        progress.url = planned.url


async def _send_one(
    pool: ClientPool,
    request: OutgoingRequest,
    method: str,
    body: bytes | None,
    headers: list[tuple[str, bytes]],
    progress: _Progress,
) -> httpx.Response:
    """Send one request to `progress.url` and return its response, body unread."""
    client = _client(pool, request, progress)
    http_request = client.build_request(
        method,
        progress.url,
        content=body,
        headers=headers,
        timeout=httpx.Timeout(request.timeouts.operation),
    )
    if progress.sent is None:
        progress.sent = _sent_request(http_request, request)

    progress.awaiting_headers = True
    response = await client.send(http_request, stream=True)
    progress.awaiting_headers = False
    return restore_headers(response)


def _plan_next(
    request: OutgoingRequest,
    progress: _Progress,
    method: str,
    body: bytes | None,
    headers: list[tuple[str, bytes]],
    response: httpx.Response,
    location: str,
) -> NextRequest | Failure:
    """Return the request that follows a redirect, or the failure that ends the chain.

    Either way the redirect is added to `progress.hops`.
    """
    status = response.status_code
    unfollowed = RedirectHop(method, str(progress.url), status, location)
    if len(progress.hops) >= request.redirects.max_redirects:
        progress.hops.append(unfollowed)
        return _too_many_redirects(request, progress)

    try:
        planned = plan_redirect(
            method,
            progress.url,
            headers,
            body,
            status,
            location,
            request.secret_headers,
        )
    except InvalidUrlError as exc:
        progress.hops.append(unfollowed)
        return Failure(FailureKind.INVALID_URL, str(exc))
    progress.hops.append(planned.hop)
    return planned


def _client(
    pool: ClientPool, request: OutgoingRequest, progress: _Progress
) -> httpx.AsyncClient:
    """Return the client for the request in flight, and note its proxy."""
    proxy = resolve_proxy(str(progress.url), request.proxy)
    progress.proxy = proxy
    if not progress.hops:
        progress.first_proxy = proxy
    if progress.url.scheme == "https":
        progress.https_used = True
    tls = request.tls
    if progress.url.scheme == "http" and not (proxy or "").lower().startswith(
        "https://"
    ):
        # Nothing on this hop uses TLS, so a CA bundle or client certificate
        # that cannot be read must not stop it. A redirect to https:// reads them.
        tls = TlsSetting()
    return pool.client_for(proxy, tls)


async def _finish(
    response: httpx.Response,
    request: OutgoingRequest,
    progress: _Progress,
    clock: Clock,
    failure: Failure | None = None,
) -> DeliveryResult:
    """Read the body of the last response and build the result.

    `progress.reading` keeps the body as it arrives, so that a result can
    still be built from it when the total deadline or a cancel cuts the
    reading.
    """
    reading = _BodyReading(
        response, capped_body(response, request.caps.capture), failure
    )
    progress.reading = reading
    try:
        await read_body(response, reading.collected)
        reading.done = True
    finally:
        await response.aclose()
    return _read_result(request, clock, progress, reading)


def _read_result(
    request: OutgoingRequest,
    clock: Clock,
    progress: _Progress,
    reading: _BodyReading,
    cut_by: Failure | None = None,
) -> DeliveryResult:
    """Build the result from the last response and its body, read or cut.

    A body cut off by a transport error, by the total deadline or by a cancel
    (`cut_by`) keeps the status, the headers and the bytes that
    arrived, with the failure that cut it. A deadline that expires while the
    connection closes, after the whole body arrived, is ignored.
    """
    collected = reading.collected
    received = _received(reading.response, collected)

    if cut_by is not None and not reading.done:
        failure = _body_failure(cut_by, progress, collected)
    elif collected.interrupted is not None:
        cause = _classify(collected.interrupted, request, progress)
        failure = _body_failure(cause, progress, collected)
    elif reading.failure is not None:
        failure = reading.failure
    else:
        failure = _answer_failure(reading.response, collected, progress)
    return _result(request, clock, progress, received, failure)


def _body_failure(
    failure: Failure, progress: _Progress, collected: CappedBody
) -> Failure:
    """Return `failure`, which cut the body short, with a message that gives
    how much of the body arrived."""
    logger.info(
        "body from %s stopped after %d bytes received: %s (%s)",
        progress.url.host,
        collected.raw_size,
        failure.kind.value,
        failure.detail,
    )
    message = (
        f"The body stopped after {_received_amount(collected)}, so the response "
        f"is incomplete. {failure.message}"
    )
    return replace(failure, message=message)


def _received_amount(collected: CappedBody) -> str:
    """Describe how many body bytes arrived, counted before content decoding.

    For an encoded body the decoded size follows, because that is the size the
    response shows.
    """
    amount = f"{collected.raw_size:,} bytes"
    if not collected.codings:
        return amount

    _, decoded_size = collected.body()
    codings = ", ".join(collected.codings)
    return (
        f"{amount} received with Content-Encoding {codings} "
        f"({decoded_size:,} bytes once decoded)"
    )


def _header_text(value: bytes) -> str:
    """Decode a response header value as UTF-8 when it is valid UTF-8, else Latin-1.

    Servers send non-ASCII values as UTF-8 today. RFC 9110 keeps Latin-1 only as
    the historical reading, and it decodes any byte, so it is the fallback.
    """
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _reason_text(response: httpx.Response) -> str:
    """Return the reason phrase as the server sent it, decoded like a header.

    httpx's `reason_phrase` drops every byte that is not ASCII, which would
    show a support engineer a phrase the endpoint never sent.
    """
    raw = response.extensions.get("reason_phrase")
    if isinstance(raw, bytes):
        return _header_text(raw)
    return response.reason_phrase


def _received(response: httpx.Response, collected: CappedBody) -> ReceivedResponse:
    body, size = collected.body()
    return ReceivedResponse(
        status=response.status_code,
        reason=_reason_text(response),
        http_version=response.http_version,
        headers=tuple(
            (name.decode("latin-1"), _header_text(value))
            for name, value in response.headers.raw
        ),
        body=body,
        size=size,
        truncated=collected.truncated,
    )


def _answer_failure(
    response: httpx.Response, collected: CappedBody, progress: _Progress
) -> Failure | None:
    """Return the failure that comes with a complete response, if any."""
    # NOTE: through a proxy, a 407 is taken to come from the proxy, although a
    # misbehaving target could send one too.
    if response.status_code == 407 and progress.proxy is not None:
        schemes = auth_schemes(response.headers.get_list("proxy-authenticate"))
        message = describe_proxy_auth(
            mask_proxy_url(progress.proxy),
            schemes,
            basic_proxy_credentials(progress.proxy) is not None,
        )
        return Failure(FailureKind.PROXY, message, "407 Proxy Authentication Required")
    if collected.error is not None:
        return Failure(
            FailureKind.DECODING,
            f"The server answered {response.status_code} but {collected.error}. "
            "The body is shown as it arrived.",
            collected.error,
        )
    return None


def _too_many_redirects(request: OutgoingRequest, progress: _Progress) -> Failure:
    limit = request.redirects.max_redirects
    last = progress.hops[-1]
    where = host_port(progress.url)
    loop = repeated_url(progress.hops)
    cause = (
        f" The chain requests {loop} more than once, so the redirects loop."
        if loop is not None
        else ""
    )
    if limit == 0:
        stopped = "Redirects are limited to 0 for this webhook, so none was followed"
        redirected = "with Location"
    else:
        noun = "redirect" if limit == 1 else "redirects"
        stopped = f"Stopped after {limit} {noun}, the limit for this webhook"
        redirected = "with one more Location,"
    return Failure(
        FailureKind.TOO_MANY_REDIRECTS,
        f"{stopped}: {where} responded {last.status} {redirected} "
        f"{last.location!r}.{cause} Check the Location headers, or raise "
        "the redirect limit.",
    )


async def _explained(
    failure: Failure,
    exc: BaseException,
    pool: ClientPool,
    request: OutgoingRequest,
    progress: _Progress,
    clock: Clock,
) -> Failure:
    """Return `failure`, made precise by a probe when the error hides its cause."""
    remaining = request.timeouts.total - clock.elapsed_ms() / 1000
    budget = min(request.timeouts.operation, _PROBE_MAX_SECONDS, remaining)
    if budget <= 0:
        return failure

    proxy = progress.proxy
    if proxy is not None and isinstance(exc, httpx.ProxyError):
        if not str(exc).startswith("407"):
            return failure
        context = pool.ssl_context_for(proxy, request.tls)
        schemes = await probe_auth_schemes(proxy, progress.url, context, budget)
        message = describe_proxy_auth(
            mask_proxy_url(proxy), schemes, basic_proxy_credentials(proxy) is not None
        )
        return Failure(FailureKind.PROXY, message, failure.detail)

    tls_reset = (
        failure.kind is FailureKind.RESET
        and progress.awaiting_headers
        and progress.url.scheme == "https"
        and proxy is None
    )
    if not tls_reset:
        return failure
    context = pool.ssl_context_for(None, request.tls)
    alert = await probe_tls_alert(progress.url, context, budget)
    if alert is None:
        return failure
    message = describe_tls_error(
        alert,
        progress.url.host,
        host_port(progress.url),
        client_cert=bool(request.tls.client_cert),
    )
    detail = (
        f"{failure.detail}; a second connection got {type(alert).__name__}: {alert}"
    )
    return Failure(FailureKind.TLS, message, detail)


def _sent_request(http_request: httpx.Request, request: OutgoingRequest) -> SentRequest:
    return SentRequest(
        method=http_request.method,
        url=str(http_request.url),
        headers=tuple(
            (name.decode("latin-1"), value.decode("utf-8", "replace"))
            for name, value in http_request.headers.raw
        ),
        body=request.body,
        secret_headers=request.masked_names(),
    )


def _notes(request: OutgoingRequest, progress: _Progress) -> tuple[str, ...]:
    notes = []
    if progress.https_used and not request.tls.verify:
        notes.append(
            "Certificate verification is off for this webhook, so the server's "
            "identity was not checked. Turn it on before relying on this endpoint."
        )
    for hop in progress.hops:
        if hop.dropped_headers:
            scheme, host, port = origin(httpx.URL(hop.next_url))
            names = ", ".join(hop.dropped_headers)
            notes.append(
                f"{names} not sent to {scheme}://{host}:{port} because the redirect "
                "leads to another origin."
            )
    return tuple(notes)


def _result(
    request: OutgoingRequest,
    clock: Clock,
    progress: _Progress | None,
    response: ReceivedResponse | None,
    failure: Failure | None,
) -> DeliveryResult:
    if progress is None:
        return DeliveryResult(
            url=request.url,
            started_at=clock.started_at,
            elapsed_ms=clock.elapsed_ms(),
            response=response,
            failure=failure,
        )
    return DeliveryResult(
        url=request.url,
        started_at=clock.started_at,
        elapsed_ms=clock.elapsed_ms(),
        request=progress.sent,
        response=response,
        failure=failure,
        headers_ms=progress.headers_ms,
        redirects=tuple(progress.hops),
        proxy=proxy_display(progress.first_proxy),
        tls_verified=request.tls.verify if progress.https_used else None,
        notes=_notes(request, progress),
    )


def _failed(
    request: OutgoingRequest,
    clock: Clock,
    failure: Failure,
    progress: _Progress | None = None,
) -> DeliveryResult:
    return _result(request, clock, progress, None, failure)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
