"""Plain-words explanations of TLS failures.

Every message names the host and port. A failed certificate verification
always contains the words "certificate verify failed", which users and support
staff search for.
"""

import ssl
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class _Reason:
    text: str
    fix: str


_EXPIRED = _Reason(
    "the server's certificate has expired",
    "Renew the certificate on the server, or check this computer's date and time.",
)
_NOT_YET_VALID = _Reason(
    "the server's certificate is not valid yet",
    "Check this computer's date and time, or the certificate's start date.",
)
_SELF_SIGNED = _Reason(
    "the server's certificate is self-signed",
    "If you trust it, add it to the webhook's CA bundle or to the operating "
    "system's trust store.",
)
_UNKNOWN_CA = _Reason(
    "the server's certificate was issued by an unknown certificate authority",
    "Add the issuing CA certificate to the webhook's CA bundle or to the "
    "operating system's trust store.",
)
_WRONG_HOST = _Reason(
    "the server's certificate is not valid for the host {host}",
    "Use the host name the certificate was issued for, or ask for a certificate "
    "that covers {host}.",
)
_REVOKED = _Reason(
    "the server's certificate has been revoked",
    "The server needs a new certificate.",
)
_WEAK = _Reason(
    "the server's certificate uses a key or signature too weak to trust",
    "The server needs a certificate with a stronger key or signature.",
)

# OpenSSL X509 verification codes (x509_vfy.h). Only OpenSSL uses these
# numbers: truststore on Windows and macOS reports the platform's own codes.
_OPENSSL_CODES = {
    9: _NOT_YET_VALID,
    10: _EXPIRED,
    18: _SELF_SIGNED,
    19: _SELF_SIGNED,
    2: _UNKNOWN_CA,
    20: _UNKNOWN_CA,
    21: _UNKNOWN_CA,
    23: _REVOKED,
    62: _WRONG_HOST,
    64: _WRONG_HOST,
    66: _WEAK,
    67: _WEAK,
    68: _WEAK,
}

# Words of verification messages on any platform, most specific first.
_MESSAGE_WORDS = (
    (("mismatch", "not valid for", "doesn't match", "does not match"), _WRONG_HOST),
    (("expired", "validity period"), _EXPIRED),
    (("not yet valid",), _NOT_YET_VALID),
    (("self-signed", "self signed"), _SELF_SIGNED),
    (("revoked",), _REVOKED),
    (("too weak", "too small"), _WEAK),
    (
        ("local issuer", "issuer certificate", "untrusted root", "not trusted"),
        _UNKNOWN_CA,
    ),
)

_PLAIN_HTTP = frozenset(
    {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE"}
)
_NO_SHARED_VERSION = frozenset(
    {
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "UNSUPPORTED_PROTOCOL",
        "NO_PROTOCOLS_AVAILABLE",
        "VERSION_TOO_LOW",
        "VERSION_TOO_HIGH",
        "TLSV1_ALERT_INSUFFICIENT_SECURITY",
    }
)
_CLIENT_CERT_MISSING = frozenset(
    {"TLSV13_ALERT_CERTIFICATE_REQUIRED", "PEER_DID_NOT_RETURN_A_CERTIFICATE"}
)
_CLIENT_CERT_REJECTED = frozenset(
    {
        "TLSV1_ALERT_UNKNOWN_CA",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        "SSLV3_ALERT_CERTIFICATE_REVOKED",
        "TLSV1_ALERT_ACCESS_DENIED",
        "TLSV1_ALERT_DECRYPT_ERROR",
    }
)
_UNKNOWN_NAME = frozenset({"TLSV1_UNRECOGNIZED_NAME", "TLSV1_ALERT_UNRECOGNIZED_NAME"})
_EOF = frozenset({"UNEXPECTED_EOF_WHILE_READING", "EOF"})


def describe_tls_error(
    error: BaseException, host: str, where: str, *, client_cert: bool = False
) -> str:
    """Return plain sentences saying why TLS with `where` failed and what to do.

    `host` is the host name of the URL, `where` its `host:port`, and
    `client_cert` is True when the webhook sent a client certificate.
    """
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = _verification_reason(error)
        text = reason.text.replace("{host}", host)
        fix = reason.fix.replace("{host}", host)
        return f"TLS with {where} failed: certificate verify failed: {text}. {fix}"

    reason_name = str(getattr(error, "reason", None) or "").upper()
    text = str(error)
    if reason_name in _PLAIN_HTTP or "wrong version number" in text.lower():
        return (
            f"TLS with {where} failed: the server did not answer in TLS. Check "
            "whether the URL should start with http:// instead of https://."
        )
    if reason_name in _NO_SHARED_VERSION:
        return (
            f"TLS with {where} failed: protocol mismatch, because the server and Hook "
            "Studio share no TLS version. The server probably accepts only TLS 1.0 "
            "or 1.1, which are insecure and disabled: enable TLS 1.2 or 1.3 on it."
        )
    if reason_name in _CLIENT_CERT_MISSING:
        return (
            f"TLS with {where} failed: the server requires a client certificate. "
            "Add one in the webhook's TLS settings."
        )
    if reason_name == "SSLV3_ALERT_HANDSHAKE_FAILURE":
        return _handshake_failure(where, client_cert)
    if reason_name in _CLIENT_CERT_REJECTED:
        return (
            f"TLS with {where} failed: the server rejected the client certificate "
            f"({reason_name.lower()}). Check that the server trusts the CA that "
            "issued it and that it has not expired."
        )
    if reason_name in _UNKNOWN_NAME:
        return (
            f"TLS with {where} failed: the server does not serve the host name "
            f"{host}. Check the host name in the URL."
        )
    if reason_name in _EOF:
        return (
            f"TLS with {where} failed: the server closed the connection during the "
            "TLS handshake. It may not speak TLS on this port, or it may have "
            "rejected the connection: check its logs."
        )
    return (
        f"TLS with {where} failed: {reason_name.lower() or text}. Check the server's "
        "TLS configuration."
    )


def _verification_reason(error: ssl.SSLCertVerificationError) -> _Reason:
    message = (error.verify_message or str(error)).lower()
    for words, reason in _MESSAGE_WORDS:
        if any(word in message for word in words):
            return reason
    if sys.platform not in {"win32", "darwin"}:
        known = _OPENSSL_CODES.get(error.verify_code)
        if known is not None:
            return known
    detail = error.verify_message or "the certificate was not accepted"
    return _Reason(detail.rstrip("."), _UNKNOWN_CA.fix)


def _handshake_failure(where: str, client_cert: bool) -> str:
    if client_cert:
        return (
            f"TLS with {where} failed: the server rejected the handshake. It may not "
            "accept the client certificate, or share no cipher with Hook Studio: "
            "check the server's TLS logs."
        )
    return (
        f"TLS with {where} failed: the server rejected the handshake. It probably "
        "requires a client certificate, which the webhook does not send: add one "
        "in the webhook's TLS settings. Otherwise the server shares no cipher with "
        "Hook Studio."
    )
