"""TLS settings of a webhook and the SSL context built from them."""

import ssl
from dataclasses import dataclass


@dataclass(frozen=True)
class TlsSetting:
    """How a webhook verifies the server and identifies itself over TLS."""

    verify: bool = True
    ca_bundle: str = ""
    """A PEM file trusted in addition to the operating system's store."""


def build_ssl_context(setting: TlsSetting) -> ssl.SSLContext:
    """Return an SSL context that trusts the OS store plus any extra CA bundle."""
    if not setting.verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if setting.ca_bundle:
        context.load_verify_locations(cafile=setting.ca_bundle)
    return context
