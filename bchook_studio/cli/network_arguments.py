"""Command-line options for TLS, proxies and redirects, and the settings they make."""

import argparse
from typing import TYPE_CHECKING

from bchook_studio.cli.arguments import (
    check_input_file,
    environment_secret,
    whole_number,
)
from bchook_studio.cli.output import UsageError

if TYPE_CHECKING:
    from bchook_studio.core.delivery.proxies import ProxySetting
    from bchook_studio.core.delivery.redirects import RedirectSetting
    from bchook_studio.core.delivery.tls import TlsSetting


def non_negative_count(text: str) -> int:
    """Parse a count such as a redirect limit; argparse reports a bad one."""
    value = whole_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"invalid count {text!r}; use a whole number such as 10"
        )
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"invalid count {text!r}; it must be 0 or more"
        )
    return value


def redirect_limit(text: str) -> int:
    """Parse --max-redirects: a whole number from 0 to MAX_REDIRECT_LIMIT."""
    from bchook_studio.core.delivery.redirects import MAX_REDIRECT_LIMIT

    value = non_negative_count(text)
    if value > MAX_REDIRECT_LIMIT:
        raise argparse.ArgumentTypeError(
            f"invalid count {text!r}; it must be {MAX_REDIRECT_LIMIT} or less"
        )
    return value


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the TLS, proxy and redirect options to a sub-command's parser."""
    tls = parser.add_argument_group("TLS")
    tls.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="a PEM CA file to trust in addition to the operating system's store",
    )
    tls.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify the server's certificate; the output warns about it",
    )
    tls.add_argument(
        "--client-cert",
        metavar="FILE",
        help="client certificate for mutual TLS: a PEM file (with its key unless "
        "--client-key is given) or a PKCS#12 .pfx/.p12 file",
    )
    tls.add_argument(
        "--client-key",
        metavar="FILE",
        help="the PEM private key of --client-cert, when kept in its own file",
    )
    tls.add_argument(
        "--client-cert-password-env",
        metavar="VAR",
        help="name of the environment variable that contains the key passphrase "
        "or the PKCS#12 password",
    )

    proxy = parser.add_argument_group("proxy")
    choice = proxy.add_mutually_exclusive_group()
    choice.add_argument(
        "--proxy",
        metavar="URL",
        help="send through this http:// or https:// proxy, such as "
        "http://user:password@proxy:3128 (default: the system and *_PROXY settings)",
    )
    proxy.add_argument(
        "--proxy-password-env",
        metavar="VAR",
        help="name of the environment variable that contains the password for the "
        "user named in the --proxy URL",
    )
    choice.add_argument(
        "--no-proxy",
        action="store_true",
        help="connect directly, ignoring system and *_PROXY proxy settings",
    )

    redirects = parser.add_argument_group("redirects")
    redirects.add_argument(
        "--follow-redirects",
        action="store_true",
        help="follow 3xx redirects (default: return them as they are, as a webhook "
        "sender does)",
    )
    redirects.add_argument(
        "--max-redirects",
        type=redirect_limit,
        metavar="N",
        help="redirects followed before giving up (default 10); needs "
        "--follow-redirects",
    )


def network_settings(
    options: argparse.Namespace,
) -> tuple["TlsSetting", "ProxySetting", "RedirectSetting"]:
    """Return the TLS, proxy and redirect settings the options ask for.

    Raises UsageError for a missing file, an unset variable or a bad proxy URL.
    """
    return _tls_setting(options), _proxy_setting(options), _redirect_setting(options)


def _tls_setting(options: argparse.Namespace) -> "TlsSetting":
    from bchook_studio.core.delivery.tls import TlsSetting
    from bchook_studio.core.logs import register_secret

    if options.client_key and not options.client_cert:
        raise UsageError("--client-key needs --client-cert FILE")
    if options.client_cert_password_env is not None and not options.client_cert:
        raise UsageError("--client-cert-password-env needs --client-cert FILE")
    for flag, path in (
        ("--ca-bundle", options.ca_bundle),
        ("--client-cert", options.client_cert),
        ("--client-key", options.client_key),
    ):
        if path is not None:
            check_input_file(path, flag)

    password = ""
    if options.client_cert_password_env is not None:
        value = environment_secret(
            options.client_cert_password_env, "--client-cert-password-env"
        )
        register_secret(value)
        password = value

    return TlsSetting(
        verify=not options.insecure,
        ca_bundle=options.ca_bundle or "",
        client_cert=options.client_cert or "",
        client_key=options.client_key or "",
        client_cert_password=password,
    )


def _proxy_setting(options: argparse.Namespace) -> "ProxySetting":
    from bchook_studio.core.delivery.proxies import (
        ProxyMode,
        ProxySetting,
        ProxySettingError,
        check_proxy_url,
    )

    if options.proxy_password_env is not None and options.proxy is None:
        raise UsageError("--proxy-password-env needs --proxy URL with a user name")
    if options.no_proxy:
        return ProxySetting(ProxyMode.NONE)
    if options.proxy is None:
        return ProxySetting()

    proxy_url = options.proxy
    if options.proxy_password_env is not None:
        proxy_url = _with_proxy_password(proxy_url, options.proxy_password_env)
    try:
        url = check_proxy_url(proxy_url, "the --proxy URL")
    except ProxySettingError as exc:
        raise UsageError(str(exc)) from None
    return ProxySetting(ProxyMode.EXPLICIT, url)


def _with_proxy_password(proxy_url: str, variable: str) -> str:
    """Return `proxy_url` with the password from `variable` in its user-info."""
    from urllib.parse import quote, urlsplit, urlunsplit

    from bchook_studio.core.logs import register_secret

    password = environment_secret(variable, "--proxy-password-env")
    parts = urlsplit(proxy_url)
    if not parts.username:
        raise UsageError(
            f"--proxy-password-env needs a user name in the --proxy URL, such as "
            f"http://alice@{parts.hostname or 'proxy'}:3128"
        )
    register_secret(password)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _redirect_setting(options: argparse.Namespace) -> "RedirectSetting":
    from bchook_studio.core.delivery.redirects import RedirectSetting

    if options.max_redirects is not None and not options.follow_redirects:
        raise UsageError("--max-redirects needs --follow-redirects")
    if options.max_redirects is None:
        return RedirectSetting(follow=options.follow_redirects)
    return RedirectSetting(follow=True, max_redirects=options.max_redirects)
