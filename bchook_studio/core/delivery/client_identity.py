"""Client certificates for mutual TLS, from PEM files or a PKCS#12 file.

`ssl` loads a certificate and key only from files, and cannot read PKCS#12 at
all, so a PKCS#12 file is converted with `cryptography` and loaded through a
temporary PEM file. That file is created with mode 0600 and deleted as soon as
`load_cert_chain` returns. It contains the key encrypted with a random one-time
passphrase that never leaves memory.

The key passphrase is always given to `load_cert_chain`, as an empty one when
none is set, so OpenSSL never prompts for it on a terminal.
"""

import contextlib
import os
import re
import secrets
import ssl
import tempfile

from bchook_studio.core.delivery.tls import TlsSettingError, read_tls_file

_PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
_ENCRYPTED_PEM = (b"-----BEGIN ENCRYPTED PRIVATE KEY-----", b"Proc-Type: 4,ENCRYPTED")
# The window and the CLI take the password in different places.
_PASSWORD_PLACE = (
    "the webhook's TLS settings (with --client-cert-password-env on the command line)"
)
_PASSWORD_HINT = f"Check the password in {_PASSWORD_PLACE}."


def load_client_identity(
    context: ssl.SSLContext, cert_path: str, key_path: str, password: str
) -> None:
    """Load the client certificate and key into `context`, or raise TlsSettingError."""
    cert_data = read_tls_file(cert_path, "client certificate")
    if b"-----BEGIN" not in cert_data:
        if key_path:
            raise TlsSettingError(
                f"The client certificate file {cert_path} is not PEM, so it is read "
                "as PKCS#12, which contains its own key. Clear the client key file "
                "setting, or choose a PEM certificate."
            )
        _load_pkcs12(context, cert_path, cert_data, password)
        return

    key_data = read_tls_file(key_path, "client key") if key_path else cert_data
    _check_pem(cert_path, cert_data, key_path or cert_path, key_data, password)
    try:
        context.load_cert_chain(
            cert_path, key_path or None, password=lambda: password.encode("utf-8")
        )
    except ssl.SSLError as exc:
        raise TlsSettingError(
            _pem_load_problem(exc, cert_path, key_path or cert_path, key_data)
        ) from None


def ssl_reason(exc: ssl.SSLError) -> str | None:
    """Return OpenSSL's reason code of an SSLError, such as "BAD_DECRYPT", or None."""
    # An SSLError made outside the ssl module has no reason attribute.
    return getattr(exc, "reason", None)


def _labels(data: bytes) -> set[bytes]:
    return set(_PEM_LABEL.findall(data))


def _check_pem(
    cert_path: str, cert_data: bytes, key_path: str, key_data: bytes, password: str
) -> None:
    if b"CERTIFICATE" not in _labels(cert_data):
        raise TlsSettingError(
            f"The client certificate file {cert_path} contains no certificate (no "
            "'-----BEGIN CERTIFICATE-----' line). Choose the certificate file."
        )
    if not any(label.endswith(b"PRIVATE KEY") for label in _labels(key_data)):
        if key_path == cert_path:
            raise TlsSettingError(
                f"The client certificate file {cert_path} contains no private key. "
                "Choose the key file as well, or a file with both."
            )
        raise TlsSettingError(
            f"The client key file {key_path} contains no private key (no "
            "'-----BEGIN ... PRIVATE KEY-----' line). Choose the key file."
        )
    if _is_encrypted(key_data) and not password:
        raise TlsSettingError(
            f"The private key in {key_path} is encrypted. Enter its passphrase in "
            f"{_PASSWORD_PLACE}."
        )


def _is_encrypted(key_data: bytes) -> bool:
    return any(marker in key_data for marker in _ENCRYPTED_PEM)


def _pem_load_problem(
    exc: ssl.SSLError, cert_path: str, key_path: str, key_data: bytes
) -> str:
    if ssl_reason(exc) == "KEY_VALUES_MISMATCH":
        return (
            f"The private key in {key_path} does not belong to the certificate in "
            f"{cert_path}. Choose the key that was created with this certificate."
        )
    if _is_encrypted(key_data):
        return (
            f"The passphrase for the private key in {key_path} is wrong. "
            f"Check the passphrase in {_PASSWORD_PLACE}."
        )
    return (
        f"The client certificate {cert_path} could not be loaded: "
        f"{ssl_reason(exc) or exc}. Check that the files are a PEM certificate and its "
        "PEM private key."
    )


def _load_pkcs12(
    context: ssl.SSLContext, path: str, data: bytes, password: str
) -> None:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") if password else None
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise TlsSettingError(_pkcs12_problem(path, password)) from None

    if key is None or certificate is None:
        missing = "private key" if key is None else "certificate"
        raise TlsSettingError(
            f"The PKCS#12 file {path} contains no {missing}. Export the client "
            "certificate together with its private key."
        )

    one_time = secrets.token_bytes(32)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(one_time),
    )
    for item in (certificate, *chain):
        pem += item.public_bytes(serialization.Encoding.PEM)
    try:
        _load_pem_bytes(context, pem, one_time)
    except ssl.SSLError as exc:
        raise TlsSettingError(
            f"The PKCS#12 file {path} was read but its key or certificate could not "
            f"be used: {ssl_reason(exc) or exc}."
        ) from None


def _pkcs12_problem(path: str, password: str) -> str:
    if not password:
        return (
            f"The client certificate file {path} is not PEM, and reading it as "
            "PKCS#12 (.pfx, .p12) failed without a password. Enter the file's "
            f"password in {_PASSWORD_PLACE}."
        )
    return (
        f"The client certificate file {path} could not be opened as PKCS#12 "
        "(.pfx, .p12): the password is wrong, or the file is neither PKCS#12 nor "
        f"PEM. {_PASSWORD_HINT}"
    )


def _load_pem_bytes(context: ssl.SSLContext, pem: bytes, password: bytes) -> None:
    """Load a certificate and key held in memory through a private temporary file."""
    descriptor, path = tempfile.mkstemp(prefix="bchook-client-", suffix=".pem")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        context.load_cert_chain(path, password=password)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
