"""Check that the default TLS context verifies servers against the OS trust store."""

import os
import re
import ssl
import sys

from bchook_studio.core.delivery.ssl_context import build_ssl_context
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.selftest.cases import CheckFailed

_HASHED_NAME = re.compile(r"^[0-9a-fA-F]{8}\.\d+$")
_MACOS_ROOTS = "/System/Library/Keychains/SystemRootCertificates.keychain"
_PROBE_HOST = "self-test.invalid"


def check_trust_store() -> str:
    """Build the context every default webhook uses and find its trusted CAs."""
    import truststore

    context = build_ssl_context(TlsSetting())
    if not isinstance(context, truststore.SSLContext):
        raise CheckFailed(
            f"the default TLS context is a {type(context).__name__}, not a "
            "truststore context, so the OS trust store is not used"
        )
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise CheckFailed(
            "the default TLS context does not verify certificates and host names"
        )

    # Wrapping a pair of memory buffers makes truststore load the trust
    # settings it uses for a connection, without any network traffic.
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname=_PROBE_HOST)

    if sys.platform == "win32":
        source = _windows_roots()
    elif sys.platform == "darwin":
        source = _macos_roots()
    else:
        source = _openssl_roots(context)
    return f"truststore {truststore.__version__}; {source}"


def _windows_roots() -> str:
    count = len(ssl.enum_certificates("ROOT"))  # type: ignore[attr-defined]
    if count == 0:
        raise CheckFailed(
            "the Windows ROOT certificate store is empty; HTTPS endpoints cannot "
            "be verified. Run Windows Update or ask your administrator."
        )
    return f"{count} certificates in the Windows ROOT store"


def _macos_roots() -> str:
    if not os.path.exists(_MACOS_ROOTS):
        raise CheckFailed(
            f"the macOS root certificates {_MACOS_ROOTS} are missing; HTTPS "
            "endpoints cannot be verified"
        )
    return f"macOS trust settings and {_MACOS_ROOTS}"


def _openssl_roots(context: ssl.SSLContext) -> str:
    """Return where OpenSSL finds the CAs that `context` trusts, or raise."""
    # NOTE: truststore 0.10 keeps the context it configures in `_ctx`, a
    # private attribute; without it, only the default verify paths are read.
    inner = getattr(context, "_ctx", None)
    if isinstance(inner, ssl.SSLContext):
        loaded = inner.cert_store_stats()["x509_ca"]
        if loaded:
            return f"{loaded} CA certificates loaded"

    # A hashed CA folder (capath) is read lazily, one file per look-up, so
    # nothing shows as loaded until a handshake needs it.
    paths = ssl.get_default_verify_paths()
    capath = os.environ.get(paths.openssl_capath_env) or paths.capath
    if capath and os.path.isdir(capath):
        hashed = [name for name in os.listdir(capath) if _HASHED_NAME.match(name)]
        if hashed:
            return f"{len(hashed)} hashed CA certificates in {capath}"

    raise CheckFailed(
        "no CA certificates were found: OpenSSL's default CA file "
        f"{paths.openssl_cafile} and folder {paths.openssl_capath} hold none. "
        "Install your distribution's ca-certificates package, or set "
        "SSL_CERT_FILE to a PEM bundle of trusted CAs."
    )
