"""Certificates and keys for the network tests, written to a temporary folder.

Everything is made with trustme and cryptography for 127.0.0.1 and localhost;
no test trusts or touches the machine's own certificate store.
"""

import datetime
import ipaddress
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

KEY_PASSPHRASE = "tls-passphrase-7f3a"
PKCS12_PASSWORD = "pfx-password-91c2"
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class ServerFiles:
    """A server certificate chain and its key, as PEM files."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class Certificates:
    """Every file the network tests use, made once per session."""

    ca_file: Path
    """The test CA, trusted by a webhook through its CA bundle setting."""

    ca: trustme.CA
    good: ServerFiles
    expired: ServerFiles
    wrong_host: ServerFiles
    unknown_ca: ServerFiles
    self_signed: ServerFiles
    client_combined: Path
    """Client certificate and key in one PEM file."""

    client_cert: Path
    client_key: Path
    client_key_encrypted: Path
    client_p12: Path
    client_p12_no_key: Path
    stranger_combined: Path
    """A client certificate from a CA the servers do not trust."""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _server_files(folder: Path, name: str, leaf: trustme.LeafCert) -> ServerFiles:
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    return ServerFiles(
        _write(folder / f"{name}-cert.pem", chain),
        _write(folder / f"{name}-key.pem", leaf.private_key_pem.bytes()),
    )


def _self_signed(folder: Path) -> ServerFiles:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return ServerFiles(
        _write(
            folder / "self-signed-cert.pem",
            certificate.public_bytes(serialization.Encoding.PEM),
        ),
        _write(folder / "self-signed-key.pem", key_pem),
    )


def make_certificates(folder: Path) -> Certificates:
    """Create the CA, server and client material in `folder`."""
    ca = trustme.CA()
    stranger_ca = trustme.CA()
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

    client = ca.issue_cert("client@example.test")
    client_key = serialization.load_pem_private_key(
        client.private_key_pem.bytes(), None
    )
    client_cert = x509.load_pem_x509_certificate(client.cert_chain_pems[0].bytes())
    encrypted_key = client_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(KEY_PASSPHRASE.encode()),
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"client",
        client_key,
        client_cert,
        None,
        serialization.BestAvailableEncryption(PKCS12_PASSWORD.encode()),
    )
    p12_no_key = pkcs12.serialize_key_and_certificates(
        b"client",
        None,
        client_cert,
        None,
        serialization.BestAvailableEncryption(PKCS12_PASSWORD.encode()),
    )
    stranger = stranger_ca.issue_cert("stranger@example.test")

    return Certificates(
        ca_file=_write(folder / "ca.pem", ca.cert_pem.bytes()),
        ca=ca,
        good=_server_files(folder, "good", ca.issue_cert(*LOOPBACK_NAMES)),
        expired=_server_files(
            folder,
            "expired",
            ca.issue_cert(
                *LOOPBACK_NAMES,
                not_before=long_ago,
                not_after=long_ago + datetime.timedelta(days=365),
            ),
        ),
        wrong_host=_server_files(
            folder, "wrong-host", ca.issue_cert("hooks.other.test")
        ),
        unknown_ca=_server_files(
            folder, "unknown-ca", stranger_ca.issue_cert(*LOOPBACK_NAMES)
        ),
        self_signed=_self_signed(folder),
        client_combined=_write(
            folder / "client.pem",
            client.private_key_and_cert_chain_pem.bytes(),
        ),
        client_cert=_write(
            folder / "client-cert.pem", client.cert_chain_pems[0].bytes()
        ),
        client_key=_write(folder / "client-key.pem", client.private_key_pem.bytes()),
        client_key_encrypted=_write(folder / "client-key-enc.pem", encrypted_key),
        client_p12=_write(folder / "client.p12", p12),
        client_p12_no_key=_write(folder / "client-no-key.pfx", p12_no_key),
        stranger_combined=_write(
            folder / "stranger.pem", stranger.private_key_and_cert_chain_pem.bytes()
        ),
    )


def server_context(
    files: ServerFiles,
    *,
    client_ca: Path | None = None,
    legacy_only: bool = False,
    tls12_only: bool = False,
) -> ssl.SSLContext:
    """Return a server-side context.

    With `client_ca`, the server requires a client certificate issued by it.
    With `legacy_only`, it speaks only TLS 1.0 and 1.1, which clients refuse.
    With `tls12_only`, it speaks TLS 1.2, where a missing client certificate
    fails the handshake itself rather than the first read after it.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.cert, files.key)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=client_ca)
    if tls12_only:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if legacy_only:
        with warnings.catch_warnings():
            # Python deprecates these versions; the server offers them on purpose.
            warnings.simplefilter("ignore", DeprecationWarning)
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context
