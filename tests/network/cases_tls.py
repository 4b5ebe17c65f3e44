"""Cases: server certificates, client certificates and bad TLS settings."""

import os

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.tls import MAX_TLS_FILE_BYTES, TlsSetting
from tests.network.certificates import (
    KEY_PASSPHRASE,
    PKCS12_PASSWORD,
    Certificates,
    ServerFiles,
    server_context,
)
from tests.network.servers import AnswerAnything, TlsServer
from tests.network.table import WRONG_PASSPHRASE, Case, Env, Outcome
from tests.servers import respond

VERIFY_FAILED = "certificate verify failed"


def _trusting(certs: Certificates, **options) -> TlsSetting:
    return TlsSetting(ca_bundle=str(certs.ca_file), **options)


def _server_case(
    name: str,
    files_of,
    kind: FailureKind | None,
    fragment: str | None,
    tls_of=_trusting,
    check=None,
    host: str = "127.0.0.1",
) -> Case:
    """A case against a TLS server using the certificate `files_of(certs)`."""

    async def scenario(env: Env) -> Outcome:
        files: ServerFiles = files_of(env.certs)
        context = server_context(files)
        with TlsServer(respond("200 OK", b"ok"), context) as server:
            url = f"https://{host}:{server.port}/hook"
            result = await env.send(url, tls=tls_of(env.certs))
        return Outcome(result, {"server": server})

    return Case(name, scenario, kind, fragment, check)


def _mutual_case(
    name: str,
    tls_of,
    kind: FailureKind | None,
    fragment: str | None,
    check=None,
    secrets: tuple[str, ...] = (),
) -> Case:
    """A case against a server that requires a client certificate from the test CA."""

    async def scenario(env: Env) -> Outcome:
        context = server_context(env.certs.good, client_ca=env.certs.ca_file)
        with TlsServer(respond("200 OK", b"ok"), context) as server:
            result = await env.send(server.url, tls=tls_of(env.certs))
        return Outcome(result, {"server": server})

    return Case(name, scenario, kind, fragment, check, secrets)


def _check_verified(outcome: Outcome) -> None:
    assert outcome.result.tls_verified is True
    assert outcome.result.notes == ()


def _check_unverified(outcome: Outcome) -> None:
    assert outcome.result.tls_verified is False
    assert "verification is off" in outcome.result.notes[0]


def _check_client_seen(outcome: Outcome) -> None:
    server: TlsServer = outcome.seen["server"]
    subject_alt_names = server.peer_certificates[0]["subjectAltName"]
    assert ("email", "client@example.test") in subject_alt_names
    assert outcome.result.response.status == 200


def _check_nothing_sent(outcome: Outcome) -> None:
    assert outcome.result.request is None
    assert outcome.result.response is None


def _check_host_named(outcome: Outcome) -> None:
    assert "127.0.0.1:" in outcome.result.failure.message


async def _plain_http_server(env: Env) -> Outcome:
    answer = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    with AnswerAnything(answer) as server:
        url = f"https://127.0.0.1:{server.port}/hook"
        return Outcome(await env.send(url, tls=_trusting(env.certs)))


async def _legacy_server(env: Env) -> Outcome:
    context = server_context(env.certs.good, legacy_only=True)
    with TlsServer(respond("200 OK", b"ok"), context) as server:
        return Outcome(await env.send(server.url, tls=_trusting(env.certs)))


async def _tls12_certificate_required(env: Env) -> Outcome:
    context = server_context(
        env.certs.good, client_ca=env.certs.ca_file, tls12_only=True
    )
    with TlsServer(respond("200 OK", b"ok"), context) as server:
        return Outcome(await env.send(server.url, tls=_trusting(env.certs)))


async def _stranger_client(env: Env) -> Outcome:
    context = server_context(env.certs.good, client_ca=env.certs.ca_file)
    tls = _trusting(env.certs, client_cert=str(env.certs.stranger_combined))
    with TlsServer(respond("200 OK", b"ok"), context) as server:
        return Outcome(await env.send(server.url, tls=tls))


def _setting_case(name: str, tls_of, fragment: str, secrets=()) -> Case:
    """A case whose TLS setting is unusable, so nothing reaches the server."""

    async def scenario(env: Env) -> Outcome:
        with TlsServer(
            respond("200 OK", b"ok"), server_context(env.certs.good)
        ) as server:
            result = await env.send(server.url, tls=tls_of(env.certs, env.folder))
        return Outcome(result, {"server": server})

    def check(outcome: Outcome) -> None:
        assert outcome.seen["server"].requests == []
        assert outcome.result.request is None

    return Case(name, scenario, FailureKind.TLS, fragment, check, secrets)


def _junk_ca(certs: Certificates, folder) -> TlsSetting:
    junk = folder / "junk-ca.pem"
    junk.write_text(
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    )
    return TlsSetting(ca_bundle=str(junk))


def _empty_ca(certs: Certificates, folder) -> TlsSetting:
    empty = folder / "empty-ca.pem"
    empty.write_bytes(b"")
    return TlsSetting(ca_bundle=str(empty))


def _fifo_ca(certs: Certificates, folder) -> TlsSetting:
    # A FIFO with no writer: opening it to read would wait forever.
    fifo = folder / "fifo-ca.pem"
    os.mkfifo(fifo)
    return TlsSetting(ca_bundle=str(fifo))


def _huge_ca(certs: Certificates, folder) -> TlsSetting:
    huge = folder / "huge-ca.pem"
    with huge.open("wb") as file:
        file.truncate(MAX_TLS_FILE_BYTES + 1)
    return TlsSetting(ca_bundle=str(huge))


SERVER_CASES = [
    _server_case(
        "tls_trusted_by_bundle", lambda c: c.good, None, None, check=_check_verified
    ),
    _server_case("tls_localhost_name", lambda c: c.good, None, None, host="localhost"),
    _server_case(
        "tls_self_signed",
        lambda c: c.self_signed,
        FailureKind.TLS,
        f"{VERIFY_FAILED}: the server's certificate is self-signed",
        check=_check_host_named,
    ),
    _server_case(
        "tls_expired",
        lambda c: c.expired,
        FailureKind.TLS,
        f"{VERIFY_FAILED}: the server's certificate has expired",
    ),
    _server_case(
        "tls_wrong_host",
        lambda c: c.wrong_host,
        FailureKind.TLS,
        f"{VERIFY_FAILED}: the server's certificate is not valid for the host "
        "127.0.0.1",
    ),
    _server_case(
        "tls_wrong_host_name",
        lambda c: c.wrong_host,
        FailureKind.TLS,
        "not valid for the host hooks.test",
        host="hooks.test",
    ),
    _server_case(
        "tls_unknown_ca",
        lambda c: c.unknown_ca,
        FailureKind.TLS,
        f"{VERIFY_FAILED}: the server's certificate was issued by an unknown "
        "certificate authority",
    ),
    _server_case(
        "tls_os_store_lacks_test_ca",
        lambda c: c.good,
        FailureKind.TLS,
        VERIFY_FAILED,
        tls_of=lambda c: TlsSetting(),
    ),
    _server_case(
        "tls_verify_off",
        lambda c: c.self_signed,
        None,
        None,
        tls_of=lambda c: TlsSetting(verify=False),
        check=_check_unverified,
    ),
    Case(
        "tls_plain_http_server",
        _plain_http_server,
        FailureKind.TLS,
        "did not answer in TLS",
    ),
    Case("tls_protocol_mismatch", _legacy_server, FailureKind.TLS, "protocol mismatch"),
]

MUTUAL_CASES = [
    _mutual_case(
        "mtls_certificate_required",
        lambda c: _trusting(c),
        FailureKind.TLS,
        "the server requires a client certificate",
    ),
    _mutual_case(
        "mtls_pem_combined",
        lambda c: _trusting(c, client_cert=str(c.client_combined)),
        None,
        None,
        _check_client_seen,
    ),
    _mutual_case(
        "mtls_pem_separate_key",
        lambda c: _trusting(
            c, client_cert=str(c.client_cert), client_key=str(c.client_key)
        ),
        None,
        None,
        _check_client_seen,
    ),
    _mutual_case(
        "mtls_encrypted_key",
        lambda c: _trusting(
            c,
            client_cert=str(c.client_cert),
            client_key=str(c.client_key_encrypted),
            client_cert_password=KEY_PASSPHRASE,
        ),
        None,
        None,
        _check_client_seen,
        secrets=(KEY_PASSPHRASE,),
    ),
    _mutual_case(
        "mtls_pkcs12",
        lambda c: _trusting(
            c, client_cert=str(c.client_p12), client_cert_password=PKCS12_PASSWORD
        ),
        None,
        None,
        _check_client_seen,
        secrets=(PKCS12_PASSWORD,),
    ),
    _mutual_case(
        "mtls_verify_off_with_pkcs12",
        lambda c: TlsSetting(
            verify=False,
            client_cert=str(c.client_p12),
            client_cert_password=PKCS12_PASSWORD,
        ),
        None,
        None,
        _check_client_seen,
        secrets=(PKCS12_PASSWORD,),
    ),
    Case(
        "mtls_required_over_tls12",
        _tls12_certificate_required,
        FailureKind.TLS,
        "It probably requires a client certificate",
    ),
    Case(
        "mtls_unknown_client_ca",
        _stranger_client,
        FailureKind.TLS,
        "the server rejected the client certificate",
    ),
]

SETTING_CASES = [
    _setting_case(
        "tls_ca_bundle_missing",
        lambda c, f: TlsSetting(ca_bundle=str(f / "missing-ca.pem")),
        "missing-ca.pem was not found",
    ),
    _setting_case("tls_ca_bundle_junk", _junk_ca, "contains no usable certificate"),
    _setting_case("tls_ca_bundle_empty", _empty_ca, "empty-ca.pem is empty"),
    _setting_case("tls_ca_bundle_huge", _huge_ca, "huge-ca.pem is over 16 MiB"),
    *(
        [_setting_case("tls_ca_bundle_fifo", _fifo_ca, "is not a regular file")]
        if hasattr(os, "mkfifo")
        else []
    ),
    _setting_case(
        "tls_ca_bundle_folder",
        lambda c, f: TlsSetting(ca_bundle=str(f)),
        "is a folder",
    ),
    _setting_case(
        "tls_wrong_passphrase",
        lambda c, f: _trusting(
            c,
            client_cert=str(c.client_cert),
            client_key=str(c.client_key_encrypted),
            client_cert_password=WRONG_PASSPHRASE,
        ),
        "The passphrase for the private key in",
        secrets=(WRONG_PASSPHRASE,),
    ),
    _setting_case(
        "tls_missing_passphrase",
        lambda c, f: _trusting(
            c, client_cert=str(c.client_cert), client_key=str(c.client_key_encrypted)
        ),
        "is encrypted. Enter its passphrase",
    ),
    _setting_case(
        "tls_pkcs12_wrong_password",
        lambda c, f: _trusting(
            c, client_cert=str(c.client_p12), client_cert_password=WRONG_PASSPHRASE
        ),
        "the password is wrong",
        secrets=(WRONG_PASSPHRASE,),
    ),
    _setting_case(
        "tls_pkcs12_no_password",
        lambda c, f: _trusting(c, client_cert=str(c.client_p12)),
        "Enter the file's password",
    ),
    _setting_case(
        "tls_pkcs12_without_key",
        lambda c, f: _trusting(
            c,
            client_cert=str(c.client_p12_no_key),
            client_cert_password=PKCS12_PASSWORD,
        ),
        "contains no private key",
        secrets=(PKCS12_PASSWORD,),
    ),
    _setting_case(
        "tls_key_of_other_certificate",
        lambda c, f: _trusting(
            c, client_cert=str(c.client_cert), client_key=str(c.good.key)
        ),
        "does not belong to the certificate",
    ),
    _setting_case(
        "tls_certificate_without_key",
        lambda c, f: _trusting(c, client_cert=str(c.client_cert)),
        "contains no private key. Choose the key file as well",
    ),
    _setting_case(
        "tls_key_without_certificate",
        lambda c, f: _trusting(c, client_key=str(c.client_key)),
        "is set without a client certificate",
    ),
    _setting_case(
        "tls_client_cert_missing",
        lambda c, f: _trusting(c, client_cert=str(f / "gone.pem")),
        "gone.pem was not found",
    ),
]

TLS_CASES = [*SERVER_CASES, *MUTUAL_CASES, *SETTING_CASES]
