"""Plain-words explanations of TLS failures."""

import ssl

# OpenSSL X509 verification codes (x509_vfy.h) and what they mean to a user.
_VERIFY_REASONS = {
    10: "the certificate has expired",
    9: "the certificate is not yet valid",
    18: "the certificate is self-signed",
    19: "the chain ends in a self-signed root that is not trusted",
    20: "the certificate was issued by an unknown certificate authority",
    21: "the certificate was issued by an unknown certificate authority",
    2: "the certificate was issued by an unknown certificate authority",
    23: "the certificate has been revoked",
    62: "the certificate does not match the host name",
    64: "the certificate does not match the IP address",
}


def describe_tls_error(error: BaseException, host: str) -> str:
    """Return one sentence saying why TLS with `host` failed and what to do."""
    if isinstance(error, ssl.SSLCertVerificationError):
        code = error.verify_code
        reason = _VERIFY_REASONS.get(code) or (error.verify_message or "unknown reason")
        if "hostname mismatch" in (error.verify_message or "").lower():
            reason = "the certificate does not match the host name"
        return (
            f"Certificate verify failed for {host}: {reason}. Trust the issuing CA "
            "in the operating system or add a CA bundle to the webhook."
        )

    text = str(error).lower()
    reason_name = (getattr(error, "reason", None) or "").lower()
    if "wrong_version_number" in reason_name or "wrong version number" in text:
        return (
            f"TLS with {host} failed: the server did not answer in TLS. "
            "Check whether the URL should start with http:// instead of https://."
        )
    if "version" in reason_name or "protocol" in reason_name or "version" in text:
        return (
            f"TLS with {host} failed: the server and Hook Studio share no protocol "
            f"version ({error.reason}). The server may only accept an old TLS version."
        )
    if "certificate required" in text or "certificate_required" in reason_name:
        return (
            f"TLS with {host} failed: the server requires a client certificate. "
            "Add a client certificate to the webhook."
        )
    return f"TLS with {host} failed: {error}."
