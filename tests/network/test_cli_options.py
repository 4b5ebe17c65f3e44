"""The CLI's TLS, proxy and redirect options, on a parser built with them."""

import argparse

import pytest

from bchook_studio.cli.network_arguments import add_network_arguments, network_settings
from bchook_studio.cli.output import UsageError
from bchook_studio.cli.parser import Parser
from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.logs import redact


def parse(*arguments: str) -> argparse.Namespace:
    parser = Parser(prog="test")
    add_network_arguments(parser)
    return parser.parse_args(list(arguments))


def test_defaults_keep_todays_behaviour():
    tls, proxy, redirects = network_settings(parse())

    assert tls == TlsSetting()
    assert proxy == ProxySetting()
    assert redirects == RedirectSetting()


def test_tls_files_and_password(certs, monkeypatch):
    monkeypatch.setenv("HOOK_KEY_PASS", "cli-key-pass-42")
    options = parse(
        "--ca-bundle",
        str(certs.ca_file),
        "--client-cert",
        str(certs.client_cert),
        "--client-key",
        str(certs.client_key_encrypted),
        "--client-cert-password-env",
        "HOOK_KEY_PASS",
    )
    tls, _, _ = network_settings(options)

    assert tls.ca_bundle == str(certs.ca_file)
    assert tls.client_cert == str(certs.client_cert)
    assert tls.client_key == str(certs.client_key_encrypted)
    assert tls.client_cert_password == "cli-key-pass-42"
    assert tls.verify
    assert redact("cli-key-pass-42") == "********"


def test_insecure_turns_verification_off():
    tls, _, _ = network_settings(parse("--insecure"))

    assert tls.verify is False


def test_explicit_proxy_with_credentials():
    _, proxy, _ = network_settings(
        parse("--proxy", "http://ann:cli-proxy-pw@127.0.0.1:3128")
    )

    assert proxy.mode is ProxyMode.EXPLICIT
    assert proxy.url == "http://ann:cli-proxy-pw@127.0.0.1:3128"
    assert redact("cli-proxy-pw") == "********"


def test_proxy_without_scheme_gets_http():
    _, proxy, _ = network_settings(parse("--proxy", "127.0.0.1:3128"))

    assert proxy.url == "http://127.0.0.1:3128"


def test_no_proxy():
    _, proxy, _ = network_settings(parse("--no-proxy"))

    assert proxy.mode is ProxyMode.NONE


def test_follow_redirects_with_limit():
    _, _, redirects = network_settings(
        parse("--follow-redirects", "--max-redirects", "3")
    )

    assert redirects == RedirectSetting(follow=True, max_redirects=3)


def test_follow_redirects_default_limit():
    _, _, redirects = network_settings(parse("--follow-redirects"))

    assert redirects == RedirectSetting(follow=True, max_redirects=10)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--proxy", "http://a:1", "--no-proxy"), "not allowed with argument"),
        (("--max-redirects", "-1"), "it must be 0 or more"),
        (("--max-redirects", "3000000000"), "it must be 1000 or less"),
        (("--max-redirects", "ten"), "invalid count 'ten'"),
    ],
)
def test_parse_errors_are_usage_errors(arguments, message):
    with pytest.raises(UsageError) as raised:
        parse(*arguments)

    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("--ca-bundle", "/nonexistent/ca.pem"),
            "--ca-bundle file not found: /nonexistent/ca.pem",
        ),
        (("--client-cert", "/nonexistent/c.pem"), "--client-cert file not found"),
        (
            ("--client-key", "/nonexistent/k.pem"),
            "--client-key needs --client-cert FILE",
        ),
        (
            ("--client-cert-password-env", "X"),
            "--client-cert-password-env needs --client-cert",
        ),
        (
            ("--proxy", "socks5://127.0.0.1:1080"),
            "the --proxy URL 'socks5://127.0.0.1:1080' is a SOCKS proxy",
        ),
        (("--proxy", "http://[::1"), "the --proxy URL 'http://[::1' is invalid"),
        (("--proxy", "ftp://127.0.0.1:21"), "uses the scheme 'ftp'"),
        (("--max-redirects", "3"), "--max-redirects needs --follow-redirects"),
    ],
)
def test_bad_values_are_usage_errors(arguments, message):
    with pytest.raises(UsageError) as raised:
        network_settings(parse(*arguments))

    assert message in str(raised.value)


def test_folder_as_file(tmp_path):
    with pytest.raises(UsageError) as raised:
        network_settings(parse("--ca-bundle", str(tmp_path)))

    assert "is a folder" in str(raised.value)


def test_unset_password_variable(certs, monkeypatch):
    monkeypatch.delenv("HOOK_UNSET_PASS", raising=False)
    options = parse(
        "--client-cert",
        str(certs.client_p12),
        "--client-cert-password-env",
        "HOOK_UNSET_PASS",
    )

    with pytest.raises(UsageError) as raised:
        network_settings(options)

    assert "HOOK_UNSET_PASS" in str(raised.value)
    assert "is not set" in str(raised.value)


def test_proxy_password_masked_in_error():
    with pytest.raises(UsageError) as raised:
        network_settings(parse("--proxy", "gopher://ann:hidden-pw@127.0.0.1:70"))

    assert "hidden-pw" not in str(raised.value)
    assert "ann:********@" in str(raised.value)


def test_options_drive_a_delivery(certs, monkeypatch):
    import asyncio

    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.request import OutgoingRequest
    from bchook_studio.core.delivery.send import deliver
    from tests.network.certificates import PKCS12_PASSWORD, server_context
    from tests.network.servers import ForwardingProxy, TlsServer
    from tests.servers import respond

    monkeypatch.setenv("HOOK_P12_PASS", PKCS12_PASSWORD)
    context = server_context(certs.good, client_ca=certs.ca_file)
    with (
        TlsServer(respond("200 OK", b"ok"), context) as server,
        ForwardingProxy() as proxy,
    ):
        options = parse(
            "--ca-bundle",
            str(certs.ca_file),
            "--client-cert",
            str(certs.client_p12),
            "--client-cert-password-env",
            "HOOK_P12_PASS",
            "--proxy",
            proxy.url,
            "--follow-redirects",
        )
        tls, proxy_setting, redirects = network_settings(options)
        request = OutgoingRequest(
            f"https://localhost:{server.port}/hook",
            b"{}",
            "application/json",
            tls=tls,
            proxy=proxy_setting,
            redirects=redirects,
        )

        async def send():
            pool = ClientPool()
            try:
                return await deliver(request, pool)
            finally:
                await pool.aclose()

        result = asyncio.run(send())

    assert result.ok
    assert result.proxy == proxy.url
    assert proxy.requests[0].request_line.startswith("CONNECT localhost:")
    assert server.peer_certificates[0]["subjectAltName"] == (
        ("email", "client@example.test"),
    )
