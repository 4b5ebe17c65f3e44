"""Cases: redirects off and on, methods, credentials across origins, loops."""

import socket

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import BasicAuth
from bchook_studio.core.delivery.tls import TlsSetting
from tests.network.certificates import server_context
from tests.network.servers import TlsServer
from tests.network.table import (
    BASIC_PASSWORD,
    SECRET_HEADER_VALUE,
    Case,
    Env,
    Outcome,
)
from tests.servers import RawServer, ReceivedRequest, respond

FOLLOW = RedirectSetting(follow=True)
CREDENTIALS = {
    "auth": BasicAuth("carol", BASIC_PASSWORD),
    "headers": (
        ("X-Api-Key", SECRET_HEADER_VALUE),
        ("Cookie", "session=abc"),
        ("X-Trace", "visible"),
    ),
    "secret_headers": frozenset({"x-api-key"}),
}

# Headers that only their names mark as credentials, plus one the user marks
# secret whose name says nothing (given in mixed case on purpose).
CONVENTIONAL_SECRETS = {
    "headers": (
        ("X-Auth-Token", SECRET_HEADER_VALUE),
        ("X-Hub-Signature", "sha256=" + SECRET_HEADER_VALUE),
        ("X-Webhook-Secret", SECRET_HEADER_VALUE),
        ("X-Partner-Key", SECRET_HEADER_VALUE),
        ("X-Customer", SECRET_HEADER_VALUE),
        ("Proxy-Authorization", "Basic " + SECRET_HEADER_VALUE),
        ("X-Trace", "visible"),
    ),
    "secret_headers": frozenset({"X-Customer"}),
}
CONVENTIONAL_NAMES = {
    "X-Auth-Token",
    "X-Hub-Signature",
    "X-Webhook-Secret",
    "X-Partner-Key",
    "X-Customer",
    "Proxy-Authorization",
}


def redirect_to(status: str, location: str):
    """Return a behaviour that responds to every request with a redirect."""
    return respond(status, b"moved", {"Location": location})


def _paths_redirect():
    """Redirect /hook to /hook/1, /hook/1 to /hook/2 and so on, forever."""

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        path = request.request_line.split(" ")[1]
        step = int(path.rsplit("/", 1)[1]) + 1 if path != "/hook" else 1
        redirect_to("302 Found", f"/hook/{step}")(conn, request)

    return behaviour


def _two_servers(status: str, credentials: bool = False):
    """A case where server A redirects with `status` to server B on another port."""

    async def scenario(env: Env) -> Outcome:
        options = dict(CREDENTIALS) if credentials else {}
        with (
            RawServer(respond("200 OK", b"final")) as second,
            RawServer(redirect_to(status, second.url)) as first,
        ):
            result = await env.send(first.url, redirects=FOLLOW, **options)
        return Outcome(result, {"first": first, "second": second})

    return scenario


def _two_servers_conventional(status: str):
    """Server A redirects with `status` to server B, with conventional secrets."""

    async def scenario(env: Env) -> Outcome:
        with (
            RawServer(respond("200 OK", b"final")) as second,
            RawServer(redirect_to(status, second.url)) as first,
        ):
            result = await env.send(first.url, redirects=FOLLOW, **CONVENTIONAL_SECRETS)
        return Outcome(result, {"first": first, "second": second})

    return scenario


async def _same_origin_conventional(env: Env) -> Outcome:
    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        if request.request_line.startswith("POST /hook "):
            redirect_to("307 Temporary Redirect", "/hook/next")(conn, request)
        else:
            respond("200 OK", b"final")(conn, request)

    with RawServer(behaviour) as server:
        result = await env.send(server.url, redirects=FOLLOW, **CONVENTIONAL_SECRETS)
    return Outcome(result, {"server": server})


async def _same_then_cross_origin(env: Env) -> Outcome:
    """A same-origin hop, then a hop to another port: secrets reach only A."""
    with RawServer(respond("200 OK", b"final")) as second:

        def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
            if request.request_line.startswith("POST /hook "):
                redirect_to("308 Permanent Redirect", "/hook/next")(conn, request)
            else:
                redirect_to("307 Temporary Redirect", second.url)(conn, request)

        with RawServer(behaviour) as first:
            result = await env.send(first.url, redirects=FOLLOW, **CONVENTIONAL_SECRETS)
    return Outcome(result, {"first": first, "second": second})


async def _off_by_default(env: Env) -> Outcome:
    with (
        RawServer(respond("200 OK", b"final")) as second,
        RawServer(redirect_to("302 Found", second.url)) as first,
    ):
        result = await env.send(first.url)
    return Outcome(result, {"first": first, "second": second})


async def _same_origin(env: Env) -> Outcome:
    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        if request.request_line.startswith("POST /hook "):
            redirect_to("307 Temporary Redirect", "/hook/next")(conn, request)
        else:
            respond("200 OK", b"final")(conn, request)

    with RawServer(behaviour) as server:
        result = await env.send(server.url, redirects=FOLLOW, **CREDENTIALS)
    return Outcome(result, {"server": server})


async def _relative(env: Env) -> Outcome:
    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        if request.request_line.startswith("POST /a/b/hook "):
            redirect_to("308 Permanent Redirect", "../final?x=1")(conn, request)
        else:
            respond("200 OK", b"final")(conn, request)

    with RawServer(behaviour) as server:
        url = f"http://127.0.0.1:{server.port}/a/b/hook"
        result = await env.send(url, redirects=FOLLOW)
    return Outcome(result, {"server": server})


async def _loop(env: Env) -> Outcome:
    with RawServer(redirect_to("302 Found", "/hook")) as server:
        settings = RedirectSetting(follow=True, max_redirects=3)
        result = await env.send(server.url, redirects=settings)
    return Outcome(result, {"server": server})


async def _endless_chain(env: Env) -> Outcome:
    with RawServer(_paths_redirect()) as server:
        settings = RedirectSetting(follow=True, max_redirects=2)
        result = await env.send(server.url, redirects=settings)
    return Outcome(result, {"server": server})


async def _limit_zero(env: Env) -> Outcome:
    with RawServer(redirect_to("302 Found", "/elsewhere")) as server:
        settings = RedirectSetting(follow=True, max_redirects=0)
        result = await env.send(server.url, redirects=settings)
    return Outcome(result, {"server": server})


async def _unsupported_scheme(env: Env) -> Outcome:
    with RawServer(redirect_to("302 Found", "ftp://127.0.0.1/x")) as server:
        result = await env.send(server.url, redirects=FOLLOW)
    return Outcome(result, {"server": server})


async def _bad_port(env: Env) -> Outcome:
    with RawServer(redirect_to("302 Found", "http://127.0.0.1:70000/x")) as server:
        result = await env.send(server.url, redirects=FOLLOW)
    return Outcome(result, {"server": server})


async def _https_to_http(env: Env) -> Outcome:
    tls = TlsSetting(ca_bundle=str(env.certs.ca_file))
    with RawServer(respond("200 OK", b"final")) as second:
        behaviour = redirect_to("307 Temporary Redirect", second.url)
        with TlsServer(behaviour, server_context(env.certs.good)) as first:
            result = await env.send(first.url, redirects=FOLLOW, tls=tls, **CREDENTIALS)
    return Outcome(result, {"first": first, "second": second})


def _check_not_followed(outcome: Outcome) -> None:
    assert outcome.result.response.status == 302
    assert outcome.result.redirects == ()
    assert outcome.seen["second"].requests == []


def _check_post_became_get(outcome: Outcome) -> None:
    received = outcome.seen["second"].requests[0]
    hop = outcome.result.redirects[0]
    assert received.request_line.startswith("GET /hook ")
    assert received.body == b""
    assert "content-type" not in received.headers
    assert hop.method == "POST"
    assert hop.next_method == "GET"
    assert hop.method_changed
    assert hop.body_dropped
    assert outcome.result.response.body == b"final"


def _check_post_kept(outcome: Outcome) -> None:
    received = outcome.seen["second"].requests[0]
    hop = outcome.result.redirects[0]
    assert received.request_line.startswith("POST /hook ")
    assert received.body == b"{}"
    assert received.headers["content-type"] == "application/json"
    assert not hop.method_changed
    assert not hop.body_dropped


def _check_credentials_dropped(outcome: Outcome) -> None:
    first = outcome.seen["first"].requests[0].headers
    second = outcome.seen["second"].requests[0].headers
    hop = outcome.result.redirects[0]
    assert first["authorization"].startswith("Basic ")
    assert first["x-api-key"] == SECRET_HEADER_VALUE
    assert "authorization" not in second
    assert "x-api-key" not in second
    assert "cookie" not in second
    assert second["x-trace"] == "visible"
    assert set(hop.dropped_headers) == {"Authorization", "X-Api-Key", "Cookie"}
    assert "Authorization" in outcome.result.notes[0]
    assert "another origin" in outcome.result.notes[0]


def _check_conventional_dropped(outcome: Outcome) -> None:
    first = outcome.seen["first"].requests[0].headers
    second = outcome.seen["second"].requests[0].headers
    hop = outcome.result.redirects[-1]
    for name in CONVENTIONAL_NAMES:
        assert name.lower() in first, name
    for name in CONVENTIONAL_NAMES:
        assert name.lower() not in second, name
    assert second["x-trace"] == "visible"
    assert set(hop.dropped_headers) == CONVENTIONAL_NAMES
    assert "X-Auth-Token" in outcome.result.notes[0]
    assert "X-Hub-Signature" in outcome.result.notes[0]


def _check_conventional_kept(outcome: Outcome) -> None:
    second = outcome.seen["server"].requests[1].headers
    hop = outcome.result.redirects[0]
    for name in CONVENTIONAL_NAMES:
        assert name.lower() in second, name
    assert second["x-auth-token"] == SECRET_HEADER_VALUE
    assert second["x-customer"] == SECRET_HEADER_VALUE
    assert hop.dropped_headers == ()
    assert outcome.result.notes == ()


def _check_kept_then_dropped(outcome: Outcome) -> None:
    first = outcome.seen["first"].requests
    second = outcome.seen["second"].requests[0].headers
    hops = outcome.result.redirects
    assert len(first) == 2
    assert first[1].headers["x-auth-token"] == SECRET_HEADER_VALUE
    assert first[1].headers["x-hub-signature"].startswith("sha256=")
    assert hops[0].dropped_headers == ()
    assert set(hops[1].dropped_headers) == CONVENTIONAL_NAMES
    for name in CONVENTIONAL_NAMES:
        assert name.lower() not in second, name
    assert second["x-trace"] == "visible"


def _check_credentials_kept(outcome: Outcome) -> None:
    second = outcome.seen["server"].requests[1]
    hop = outcome.result.redirects[0]
    assert second.request_line == "POST /hook/next HTTP/1.1"
    assert second.headers["authorization"].startswith("Basic ")
    assert second.headers["x-api-key"] == SECRET_HEADER_VALUE
    assert hop.dropped_headers == ()
    assert outcome.result.notes == ()


def _check_relative(outcome: Outcome) -> None:
    second = outcome.seen["server"].requests[1]
    hop = outcome.result.redirects[0]
    assert second.request_line == "POST /a/final?x=1 HTTP/1.1"
    assert hop.location == "../final?x=1"
    assert hop.next_url.endswith("/a/final?x=1")


def _check_loop(outcome: Outcome) -> None:
    hops = outcome.result.redirects
    assert len(hops) == 4
    assert [hop.followed for hop in hops] == [True, True, True, False]
    assert outcome.result.response.status == 302
    assert len(outcome.seen["server"].requests) == 4


def _check_chain(outcome: Outcome) -> None:
    hops = outcome.result.redirects
    assert [hop.next_url.rsplit("/", 1)[1] for hop in hops[:2]] == ["1", "2"]
    assert hops[2].location == "/hook/3"
    assert not hops[2].followed


def _check_unfollowed_hop(outcome: Outcome) -> None:
    hop = outcome.result.redirects[-1]
    assert not hop.followed
    assert outcome.result.response.status == 302
    assert len(outcome.seen["server"].requests) == 1


def _check_downgrade(outcome: Outcome) -> None:
    second = outcome.seen["second"].requests[0].headers
    hop = outcome.result.redirects[0]
    assert "authorization" not in second
    assert hop.url.startswith("https://")
    assert hop.next_url.startswith("http://")
    assert "Authorization" in hop.dropped_headers
    assert outcome.result.tls_verified is True


REDIRECT_CASES = [
    Case("redirect_off_by_default", _off_by_default, None, None, _check_not_followed),
    Case(
        "redirect_303_post_to_get",
        _two_servers("303 See Other"),
        None,
        None,
        _check_post_became_get,
    ),
    Case(
        "redirect_302_post_to_get",
        _two_servers("302 Found"),
        None,
        None,
        _check_post_became_get,
    ),
    Case(
        "redirect_301_post_to_get",
        _two_servers("301 Moved Permanently"),
        None,
        None,
        _check_post_became_get,
    ),
    Case(
        "redirect_307_keeps_post",
        _two_servers("307 Temporary Redirect"),
        None,
        None,
        _check_post_kept,
    ),
    Case(
        "redirect_308_keeps_post",
        _two_servers("308 Permanent Redirect"),
        None,
        None,
        _check_post_kept,
    ),
    Case(
        "redirect_cross_origin_drops_credentials",
        _two_servers("307 Temporary Redirect", credentials=True),
        None,
        None,
        _check_credentials_dropped,
        (BASIC_PASSWORD, SECRET_HEADER_VALUE),
    ),
    Case(
        "redirect_same_origin_keeps_credentials",
        _same_origin,
        None,
        None,
        _check_credentials_kept,
        (BASIC_PASSWORD, SECRET_HEADER_VALUE),
    ),
    Case(
        "redirect_https_to_http_drops_credentials",
        _https_to_http,
        None,
        None,
        _check_downgrade,
        (BASIC_PASSWORD, SECRET_HEADER_VALUE),
    ),
    Case(
        "redirect_cross_origin_drops_conventional_secrets",
        _two_servers_conventional("307 Temporary Redirect"),
        None,
        None,
        _check_conventional_dropped,
        (SECRET_HEADER_VALUE,),
    ),
    Case(
        "redirect_cross_origin_get_drops_conventional_secrets",
        _two_servers_conventional("302 Found"),
        None,
        None,
        _check_conventional_dropped,
        (SECRET_HEADER_VALUE,),
    ),
    Case(
        "redirect_same_origin_keeps_conventional_secrets",
        _same_origin_conventional,
        None,
        None,
        _check_conventional_kept,
        (SECRET_HEADER_VALUE,),
    ),
    Case(
        "redirect_same_then_cross_origin",
        _same_then_cross_origin,
        None,
        None,
        _check_kept_then_dropped,
        (SECRET_HEADER_VALUE,),
    ),
    Case("redirect_relative_location", _relative, None, None, _check_relative),
    Case(
        "redirect_loop",
        _loop,
        FailureKind.TOO_MANY_REDIRECTS,
        "more than once, so the redirects loop",
        _check_loop,
    ),
    Case(
        "redirect_endless_chain",
        _endless_chain,
        FailureKind.TOO_MANY_REDIRECTS,
        "Stopped after 2 redirects",
        _check_chain,
    ),
    Case(
        "redirect_limit_zero",
        _limit_zero,
        FailureKind.TOO_MANY_REDIRECTS,
        "Redirects are limited to 0",
        _check_unfollowed_hop,
    ),
    Case(
        "redirect_unsupported_scheme",
        _unsupported_scheme,
        FailureKind.INVALID_URL,
        "uses the scheme 'ftp'",
        _check_unfollowed_hop,
    ),
    Case(
        "redirect_bad_port",
        _bad_port,
        FailureKind.INVALID_URL,
        "port 70000",
        _check_unfollowed_hop,
    ),
]
