"""Cases: explicit, environment and refusing proxies, and bad proxy settings."""

import socket

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
from bchook_studio.core.delivery.tls import TlsSetting
from tests.network.certificates import server_context
from tests.network.servers import (
    ForwardingProxy,
    TlsServer,
    basic_auth_proxy,
    ntlm_only_proxy,
)
from tests.network.table import PROXY_PASSWORD, Case, Env, Outcome
from tests.servers import RawServer, respond


def _named_proxy() -> ForwardingProxy:
    return ForwardingProxy(names=("hooks.test",))


def _explicit(url: str) -> ProxySetting:
    return ProxySetting(ProxyMode.EXPLICIT, url)


async def _explicit_http(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, ForwardingProxy() as proxy:
        result = await env.send(server.url, proxy=_explicit(proxy.url))
    return Outcome(result, {"server": server, "proxy": proxy})


async def _explicit_with_credentials(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, ForwardingProxy() as proxy:
        url = f"http://carol:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
        result = await env.send(server.url, proxy=_explicit(url))
    return Outcome(result, {"server": server, "proxy": proxy})


async def _explicit_https(env: Env) -> Outcome:
    context = server_context(env.certs.good)
    tls = TlsSetting(ca_bundle=str(env.certs.ca_file))
    with (
        TlsServer(respond("200 OK", b"ok"), context) as server,
        ForwardingProxy() as proxy,
    ):
        url = f"https://localhost:{server.port}/hook"
        result = await env.send(url, proxy=_explicit(proxy.url), tls=tls)
    return Outcome(result, {"server": server, "proxy": proxy})


async def _environment_proxy(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, _named_proxy() as proxy:
        env.monkeypatch.setenv("HTTP_PROXY", proxy.url)
        result = await env.send(f"http://hooks.test:{server.port}/hook")
    return Outcome(result, {"server": server, "proxy": proxy})


async def _environment_proxy_loopback(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, ForwardingProxy() as proxy:
        env.monkeypatch.setenv("HTTP_PROXY", proxy.url)
        env.monkeypatch.setenv("https_proxy", proxy.url)
        result = await env.send(server.url)
    return Outcome(result, {"server": server, "proxy": proxy})


async def _no_proxy_variable(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, _named_proxy() as proxy:
        env.monkeypatch.setenv("HTTP_PROXY", proxy.url)
        env.monkeypatch.setenv("NO_PROXY", "hooks.test")
        result = await env.send(f"http://hooks.test:{server.port}/hook")
    return Outcome(result, {"server": server, "proxy": proxy})


async def _mode_none(env: Env) -> Outcome:
    with RawServer(respond("200 OK", b"ok")) as server, _named_proxy() as proxy:
        env.monkeypatch.setenv("HTTP_PROXY", proxy.url)
        result = await env.send(
            f"http://hooks.test:{server.port}/hook",
            proxy=ProxySetting(ProxyMode.NONE),
        )
    return Outcome(result, {"server": server, "proxy": proxy})


async def _ntlm_http(env: Env) -> Outcome:
    with RawServer(ntlm_only_proxy) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        result = await env.send("http://hooks.test:8080/hook", proxy=_explicit(url))
    return Outcome(result, {"proxy": proxy})


async def _ntlm_https(env: Env) -> Outcome:
    with RawServer(ntlm_only_proxy) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        result = await env.send("https://hooks.test:8443/hook", proxy=_explicit(url))
    return Outcome(result, {"proxy": proxy})


async def _basic_required(env: Env) -> Outcome:
    with RawServer(basic_auth_proxy) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        result = await env.send("https://hooks.test:8443/hook", proxy=_explicit(url))
    return Outcome(result, {"proxy": proxy})


async def _basic_rejected(env: Env) -> Outcome:
    with RawServer(basic_auth_proxy) as proxy:
        url = f"http://carol:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
        result = await env.send("http://hooks.test:8080/hook", proxy=_explicit(url))
    return Outcome(result, {"proxy": proxy})


async def _tunnel_rejected(env: Env) -> Outcome:
    with ForwardingProxy() as proxy:
        url = "https://blocked.test:8443/hook"
        result = await env.send(url, proxy=_explicit(proxy.url))
    return Outcome(result, {"proxy": proxy})


async def _proxy_down(env: Env) -> Outcome:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}"
    result = await env.send("http://hooks.test:8080/hook", proxy=_explicit(url))
    return Outcome(result, {"port": port})


def _setting_case(name: str, setting: ProxySetting, fragment: str) -> Case:
    async def scenario(env: Env) -> Outcome:
        with RawServer(respond("200 OK", b"ok")) as server:
            result = await env.send(server.url, proxy=setting)
        return Outcome(result, {"server": server})

    def check(outcome: Outcome) -> None:
        assert outcome.seen["server"].requests == []

    return Case(name, scenario, FailureKind.PROXY, fragment, check)


async def _bad_environment_proxy(env: Env) -> Outcome:
    env.monkeypatch.setenv("HTTP_PROXY", "ftp://127.0.0.1:2121")
    return Outcome(await env.send("http://hooks.test:8080/hook"))


def _check_through_proxy(outcome: Outcome) -> None:
    proxy: ForwardingProxy = outcome.seen["proxy"]
    server = outcome.seen["server"]
    assert proxy.requests[0].request_line.startswith("POST http://")
    assert server.requests[0].body == b"{}"
    assert outcome.result.proxy == proxy.url


def _check_credentials(outcome: Outcome) -> None:
    proxy: ForwardingProxy = outcome.seen["proxy"]
    authorization = proxy.requests[0].headers["proxy-authorization"]
    assert authorization.startswith("Basic ")
    assert "proxy-authorization" not in outcome.seen["server"].requests[0].headers
    assert outcome.result.proxy == f"http://carol:********@127.0.0.1:{proxy.port}"
    assert PROXY_PASSWORD not in repr(outcome.result)


def _check_tunnel(outcome: Outcome) -> None:
    proxy: ForwardingProxy = outcome.seen["proxy"]
    assert proxy.requests[0].request_line.startswith("CONNECT localhost:")
    assert outcome.result.response.status == 200
    assert outcome.result.tls_verified is True


def _check_direct(outcome: Outcome) -> None:
    assert outcome.seen["proxy"].requests == []
    assert len(outcome.seen["server"].requests) == 1
    assert outcome.result.proxy is None


def _check_answer_kept(outcome: Outcome) -> None:
    assert outcome.result.response.status == 407


def _check_proxy_port(outcome: Outcome) -> None:
    assert f"127.0.0.1:{outcome.seen['port']}" in outcome.result.failure.message


PROXY_CASES = [
    Case("proxy_explicit_http", _explicit_http, None, None, _check_through_proxy),
    Case(
        "proxy_credentials",
        _explicit_with_credentials,
        None,
        None,
        _check_credentials,
        (PROXY_PASSWORD,),
    ),
    Case("proxy_connect_tunnel", _explicit_https, None, None, _check_tunnel),
    Case(
        "proxy_from_environment", _environment_proxy, None, None, _check_through_proxy
    ),
    Case(
        "proxy_env_skips_loopback",
        _environment_proxy_loopback,
        None,
        None,
        _check_direct,
    ),
    Case("proxy_no_proxy_variable", _no_proxy_variable, None, None, _check_direct),
    Case("proxy_mode_none", _mode_none, None, None, _check_direct),
    Case(
        "proxy_ntlm_http",
        _ntlm_http,
        FailureKind.PROXY,
        "requires NTLM and Negotiate authentication",
        _check_answer_kept,
    ),
    Case(
        "proxy_ntlm_connect",
        _ntlm_https,
        FailureKind.PROXY,
        "requires NTLM and Negotiate authentication",
    ),
    Case(
        "proxy_basic_needed",
        _basic_required,
        FailureKind.PROXY,
        "requires a user name and password",
    ),
    Case(
        "proxy_basic_rejected",
        _basic_rejected,
        FailureKind.PROXY,
        "rejected the user name and password",
        secrets=(PROXY_PASSWORD,),
    ),
    Case(
        "proxy_tunnel_rejected",
        _tunnel_rejected,
        FailureKind.PROXY,
        "rejected the tunnel to blocked.test:8443: it responded 502 Bad Gateway",
    ),
    Case(
        "proxy_down",
        _proxy_down,
        FailureKind.PROXY,
        "Could not connect to the proxy",
        _check_proxy_port,
    ),
    _setting_case("proxy_url_invalid", _explicit("http://[::1"), "is invalid"),
    _setting_case("proxy_socks", _explicit("socks5://127.0.0.1:1080"), "SOCKS proxy"),
    _setting_case("proxy_explicit_empty", _explicit(""), "proxy URL is empty"),
    Case(
        "proxy_environment_invalid",
        _bad_environment_proxy,
        FailureKind.PROXY,
        "uses the scheme 'ftp'",
    ),
]
