"""The SSL context a client uses, built from a webhook's TLS setting."""

import logging
import ssl

from bchook_studio.core.delivery.client_identity import (
    load_client_identity,
    ssl_reason,
)
from bchook_studio.core.delivery.tls import TlsSetting, TlsSettingError, read_tls_file

logger = logging.getLogger(__name__)


def build_ssl_context(setting: TlsSetting) -> ssl.SSLContext:
    """Return the SSL context for `setting`, or raise TlsSettingError.

    With verification on, the context trusts the operating system's store (see
    the `tls` module) plus the webhook's CA bundle. With verification off, it
    accepts any certificate for any host name.
    """
    from bchook_studio.core.logs import register_secret

    register_secret(setting.client_cert_password)

    if setting.verify:
        import truststore

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if setting.ca_bundle:
            _load_ca_bundle(context, setting.ca_bundle)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

    if setting.client_cert:
        load_client_identity(
            context,
            setting.client_cert,
            setting.client_key,
            setting.client_cert_password,
        )
    elif setting.client_key:
        raise TlsSettingError(
            f"The client key file {setting.client_key} is set without a client "
            "certificate. Choose the certificate file too, or clear the key file."
        )
    logger.debug("built an SSL context for %r", setting)
    return context


def _load_ca_bundle(context: ssl.SSLContext, path: str) -> None:
    data = read_tls_file(path, "CA bundle")
    try:
        if b"-----BEGIN" in data:
            context.load_verify_locations(cadata=data.decode("ascii", "replace"))
        else:
            context.load_verify_locations(cadata=data)
    except (ssl.SSLError, ValueError) as exc:
        # ssl raises ValueError for certificate data it finds empty.
        reason = ssl_reason(exc) if isinstance(exc, ssl.SSLError) else ""
        raise TlsSettingError(
            f"The CA bundle file {path} contains no usable certificate "
            f"({reason or exc}). Choose a PEM file with '-----BEGIN "
            "CERTIFICATE-----' blocks, or a DER certificate."
        ) from None
