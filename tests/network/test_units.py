"""Small pieces of the delivery code: proxy URLs, redirect plans, TLS messages."""

import ssl

import httpx
import pytest

from bchook_studio.core.delivery.proxies import (
    ProxyMode,
    ProxySetting,
    ProxySettingError,
    mask_proxy_url,
    resolve_proxy,
)
from bchook_studio.core.delivery.proxy_auth import auth_schemes, describe_proxy_auth
from bchook_studio.core.delivery.redirects import (
    origin,
    plan_redirect,
    redirect_method,
)
from bchook_studio.core.delivery.tls_messages import describe_tls_error
from bchook_studio.core.delivery.urls import InvalidUrlError


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://carol:secret@proxy:3128", "http://carol:********@proxy:3128"),
        ("http://carol:p%40ss@proxy:3128/", "http://carol:********@proxy:3128/"),
        ("http://carol@proxy:3128", "http://carol@proxy:3128"),
        ("http://proxy:3128", "http://proxy:3128"),
        ("https://a:b:c@proxy", "https://a:********@proxy"),
    ],
)
def test_mask_proxy_url(url, masked):
    assert mask_proxy_url(url) == masked


def test_explicit_proxy_applies_to_loopback():
    setting = ProxySetting(ProxyMode.EXPLICIT, "http://127.0.0.1:3128")

    assert (
        resolve_proxy("http://127.0.0.1:8765/hook", setting) == "http://127.0.0.1:3128"
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "[::1]", "localhost", "api.localhost"]
)
def test_environment_proxy_skips_loopback(monkeypatch, host):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")

    assert resolve_proxy(f"http://{host}:8765/hook") is None


def test_environment_proxy_without_scheme(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "127.0.0.1:3128")

    assert resolve_proxy("https://hooks.test/in") == "http://127.0.0.1:3128"


def test_all_proxy_fallback(monkeypatch):
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:3128")

    assert resolve_proxy("https://hooks.test/in") == "http://127.0.0.1:3128"


def test_proxy_port_out_of_range():
    setting = ProxySetting(ProxyMode.EXPLICIT, "http://127.0.0.1:99999")

    with pytest.raises(ProxySettingError) as raised:
        resolve_proxy("http://hooks.test/", setting)

    assert "port 99999" in str(raised.value)


@pytest.mark.parametrize(
    ("values", "schemes"),
    [
        (["NTLM", "Negotiate"], ("ntlm", "negotiate")),
        (['Basic realm="corp"'], ("basic",)),
        (['NTLM, Basic realm="x", charset="UTF-8"'], ("ntlm", "basic")),
        ([], ()),
    ],
)
def test_auth_schemes(values, schemes):
    assert auth_schemes(values) == schemes


def test_ntlm_message_names_the_limit():
    message = describe_proxy_auth("http://p:3128", ("negotiate",), False)

    assert "requires Negotiate authentication" in message
    assert "PAC scripts" in message


@pytest.mark.parametrize(
    ("status", "method", "expected"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "POST", "GET"),
        (303, "PUT", "GET"),
        (303, "HEAD", "HEAD"),
        (307, "POST", "POST"),
        (308, "POST", "POST"),
        (301, "PUT", "PUT"),
    ],
)
def test_redirect_method(status, method, expected):
    assert redirect_method(status, method) == expected


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("http://a.test/x", "http://a.test:80/y", True),
        ("https://a.test/x", "https://a.test:443/y", True),
        ("http://a.test/x", "https://a.test/x", False),
        ("http://a.test/x", "http://a.test:8080/x", False),
        ("http://a.test/x", "http://b.test/x", False),
    ],
)
def test_origin(first, second, same):
    assert (origin(httpx.URL(first)) == origin(httpx.URL(second))) is same


def test_redirect_drops_body_headers_on_get():
    headers = [("Content-Type", b"application/json"), ("X-Trace", b"1")]
    plan = plan_redirect(
        "POST", httpx.URL("http://a.test/in"), headers, b"{}", 303, "/out", frozenset()
    )

    assert plan.method == "GET"
    assert plan.body is None
    assert plan.headers == [("X-Trace", b"1")]
    assert plan.hop.next_url == "http://a.test/out"


@pytest.mark.parametrize(
    "location", ["mailto:a@b.test", "http://[::1/", "http://xn--/"]
)
def test_redirect_to_unusable_location(location):
    with pytest.raises(InvalidUrlError) as raised:
        plan_redirect(
            "POST", httpx.URL("http://a.test/in"), [], b"", 302, location, frozenset()
        )

    assert repr(location) in str(raised.value)


def _verification_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"certificate verify failed: {message}")
    error.verify_code = code
    error.verify_message = message
    return error


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (10, "certificate has expired", "has expired"),
        (9, "certificate is not yet valid", "is not valid yet"),
        (18, "self-signed certificate", "is self-signed"),
        (19, "self-signed certificate in certificate chain", "is self-signed"),
        (20, "unable to get local issuer certificate", "unknown certificate authority"),
        (
            62,
            "Hostname mismatch, certificate is not valid for 'a.test'.",
            "not valid for the host a.test",
        ),
        (23, "certificate revoked", "has been revoked"),
        (99, "something new {x}", "something new {x}"),
    ],
)
def test_verification_messages(code, message, expected):
    text = describe_tls_error(
        _verification_error(code, message), "a.test", "a.test:443"
    )

    assert text.startswith("TLS with a.test:443 failed: certificate verify failed: ")
    assert expected in text


def test_chain_text_one_line():
    from bchook_studio.core.delivery.redirects import RedirectHop, chain_text

    hops = (
        RedirectHop(
            "POST", "http://a.test/in", 303, "/out", "GET", "http://a.test/out"
        ),
        RedirectHop("GET", "http://a.test/out", 302, "ftp://x/"),
    )

    assert chain_text(hops) == (
        "POST http://a.test/in → 303 → GET http://a.test/out → 302 → Location ftp://x/"
    )
    assert chain_text(()) == ""


@pytest.mark.parametrize("name", ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"])
def test_proxy_variables_cleared(name):
    import os

    assert name not in os.environ
    assert name.lower() not in os.environ
