"""Explain a proxy's 407 response, including schemes that httpx does not support."""

_UNSUPPORTED = ("ntlm", "negotiate", "kerberos")


def auth_schemes(values: list[str]) -> tuple[str, ...]:
    """Return the lower-case scheme names of Proxy-Authenticate header values."""
    schemes = []
    for value in values:
        # One header may list several challenges: "NTLM, Basic realm=x".
        for part in value.split(","):
            words = part.strip().split(" ", 1)
            if words[0] and "=" not in words[0]:
                schemes.append(words[0].lower())
    return tuple(dict.fromkeys(schemes))


def describe_proxy_auth(
    proxy: str, schemes: tuple[str, ...], has_credentials: bool
) -> str:
    """Return the message for a 407 from `proxy` (masked) that offered `schemes`."""
    unsupported = [name for name in schemes if name in _UNSUPPORTED]
    if unsupported and "basic" not in schemes:
        named = " and ".join(
            name.upper() if name == "ntlm" else name.title() for name in unsupported
        )
        return (
            f"The proxy {proxy} requires {named} authentication (407), which Hook "
            "Studio cannot do: it sends only Basic credentials from the proxy URL, "
            "and supports neither NTLM, Negotiate (Kerberos) nor PAC scripts. Ask "
            "for a proxy that accepts Basic authentication, or run a local proxy "
            "that handles NTLM for you and use its URL."
        )
    if "basic" in schemes and not has_credentials:
        return (
            f"The proxy {proxy} requires a user name and password (407). Put them in "
            "the proxy URL: http://user:password@host:port."
        )
    if has_credentials:
        return (
            f"The proxy {proxy} rejected the user name and password in the proxy URL "
            "(407). Check them."
        )
    offered = ", ".join(schemes) if schemes else "no named scheme"
    return (
        f"The proxy {proxy} requires authentication (407) and offers {offered}. "
        "Hook Studio sends only Basic credentials from the proxy URL."
    )
