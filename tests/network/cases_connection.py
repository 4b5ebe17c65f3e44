"""Cases: bad URLs, and connections that fail, stall or break."""

import socket

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.request import Timeouts
from tests.network.servers import AnswerAnything, SilentListener, trickle_forever
from tests.network.table import Case, Env, Outcome
from tests.servers import (
    RawServer,
    close_without_answer,
    drop_mid_body,
    full_backlog_listener,
    never_answer,
)


def _url_case(name: str, url: str, fragment: str) -> Case:
    async def scenario(env: Env) -> Outcome:
        return Outcome(await env.send(url))

    def check(outcome: Outcome) -> None:
        assert outcome.result.request is None

    return Case(name, scenario, FailureKind.INVALID_URL, fragment, check)


URL_CASES = [
    _url_case("url_empty", "", "The URL is empty"),
    _url_case("url_no_scheme", "hooks.test/in", "has no scheme"),
    _url_case("url_javascript", "javascript:alert(1)", "has no scheme"),
    _url_case("url_ftp", "ftp://127.0.0.1/in", "scheme 'ftp'"),
    _url_case("url_file", "file:///etc/passwd", "scheme 'file'"),
    _url_case("url_space", "http://hooks .test/", "contains a space"),
    _url_case("url_no_host", "http:///path", "has no host name"),
    _url_case("url_port_too_big", "http://127.0.0.1:99999/", "port 99999"),
    _url_case("url_broken_ipv6", "http://[::1/", "not a valid IPv6 address"),
    _url_case(
        "url_broken_ipv6_https_user",
        "https://user@[::1?q=]",
        "is not closed. Write it as https://[::1]:8080/.",
    ),
    _url_case("url_bad_idna", "http://xn--/", "is invalid"),
]


async def _refused(env: Env) -> Outcome:
    # Bound without listening, the socket refuses connections and keeps the
    # port from other programs until the send has ended.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        result = await env.send(f"http://127.0.0.1:{port}/")
    return Outcome(result, {"port": port})


async def _dns(env: Env) -> Outcome:
    return Outcome(await env.send("http://nowhere.invalid/hook"))


async def _connect_timeout(env: Env) -> Outcome:
    listener, fillers = full_backlog_listener()
    port = listener.getsockname()[1]
    try:
        result = await env.send(f"http://127.0.0.1:{port}/", timeouts=Timeouts(1, 10))
    finally:
        for sock in [listener, *fillers]:
            sock.close()
    return Outcome(result)


async def _read_timeout(env: Env) -> Outcome:
    with RawServer(never_answer) as server:
        return Outcome(await env.send(server.url, timeouts=Timeouts(0.5, 10)))


async def _write_timeout(env: Env) -> Outcome:
    body = b"x" * (64 * 1024 * 1024)
    with SilentListener() as listener:
        result = await env.send(listener.url, body, timeouts=Timeouts(0.5, 20))
    return Outcome(result)


async def _reset_mid_body(env: Env) -> Outcome:
    with RawServer(drop_mid_body) as server:
        return Outcome(await env.send(server.url))


async def _closed_without_answer(env: Env) -> Outcome:
    with RawServer(close_without_answer) as server:
        return Outcome(await env.send(server.url))


async def _trickle(env: Env) -> Outcome:
    with RawServer(trickle_forever) as server:
        result = await env.send(server.url, timeouts=Timeouts(30, 1))
    return Outcome(result)


async def _not_http(env: Env) -> Outcome:
    with AnswerAnything(b"SSH-2.0-OpenSSH_9.6\r\nHello\r\n\r\n") as server:
        return Outcome(await env.send(f"http://127.0.0.1:{server.port}/hook"))


def _check_refused(outcome: Outcome) -> None:
    assert f"127.0.0.1:{outcome.seen['port']}" in outcome.result.failure.message


def _check_sent(outcome: Outcome) -> None:
    assert outcome.result.request is not None


def _check_quick(outcome: Outcome) -> None:
    assert outcome.result.elapsed_ms < 2500


CONNECTION_CASES = [
    Case(
        "refused",
        _refused,
        FailureKind.REFUSED,
        "refused the connection",
        _check_refused,
    ),
    Case(
        "dns_failure", _dns, FailureKind.DNS, "'nowhere.invalid' could not be resolved"
    ),
    Case(
        "connect_timeout",
        _connect_timeout,
        FailureKind.CONNECT_TIMEOUT,
        "timed out after 1 s",
    ),
    Case(
        "read_timeout",
        _read_timeout,
        FailureKind.READ_TIMEOUT,
        "sent nothing for 0.5 s",
        _check_sent,
    ),
    Case(
        "write_timeout", _write_timeout, FailureKind.WRITE_TIMEOUT, "stalled for 0.5 s"
    ),
    Case("reset_mid_body", _reset_mid_body, FailureKind.RESET, "closed the connection"),
    Case(
        "closed_without_answer",
        _closed_without_answer,
        FailureKind.RESET,
        "closed the connection",
    ),
    Case(
        "trickle_forever",
        _trickle,
        FailureKind.TOTAL_TIMEOUT,
        "total deadline of 1 s",
        _check_quick,
    ),
    Case("answer_not_http", _not_http, FailureKind.PROTOCOL, "not valid HTTP/1.1"),
]
