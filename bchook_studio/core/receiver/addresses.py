"""The address the receiver listens on: resolution, the loopback check, URLs."""

import asyncio
import ipaddress
import socket

from bchook_studio.core.delivery.proxies import is_loopback_host
from bchook_studio.core.receiver.errors import NonLoopbackHostError, ReceiverStartError


def host_port(host: str, port: int) -> str:
    """Return `host:port`, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_loopback_address(address: str) -> bool:
    """True for an IP address in 127.0.0.0/8 or ::1."""
    return ipaddress.ip_address(address).is_loopback


def _check_allowed(host: str, address: str, allow_non_loopback: bool) -> None:
    if allow_non_loopback or is_loopback_address(address):
        return
    shown = host if host == address else f"{host} ({address})"
    raise NonLoopbackHostError(
        f"the receiver would listen on {shown}, which other machines can reach. "
        "Use 127.0.0.1, or allow listening on other interfaces explicitly."
    )


async def resolve_listen_address(host: str, allow_non_loopback: bool) -> str:
    """Return the IP address to listen on for `host`, or raise.

    A host name is resolved, preferring IPv4, and only its first address is
    used, so the receiver has one address and one port. Raises
    NonLoopbackHostError for an address other machines can reach unless
    `allow_non_loopback` is set, and checks that before any DNS look-up.
    """
    host = host.strip().strip("[]")
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        address = ""

    if address:
        _check_allowed(host, address, allow_non_loopback)
        return address

    if not allow_non_loopback and not is_loopback_host(host):
        raise NonLoopbackHostError(
            f"the receiver would listen on the host {host!r}, which is not a "
            "loopback name. Use 127.0.0.1, or allow listening on other interfaces "
            "explicitly."
        )
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ReceiverStartError(
            f"the receiver host name {host!r} could not be resolved ({exc.strerror}). "
            "Use an IP address such as 127.0.0.1."
        ) from exc

    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    address = str(infos[0][4][0])
    _check_allowed(host, address, allow_non_loopback)
    return address
