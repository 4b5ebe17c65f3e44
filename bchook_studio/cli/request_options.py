"""Options that shape the request, shared by `send` and `check`.

Format, body source, authentication, headers, timeouts, TLS, proxy and
redirects are read the same way by every sub-command that sends.
"""

import argparse
from dataclasses import dataclass
from typing import Any

from bchook_studio.cli.arguments import (
    add_auth,
    add_format,
    add_headers,
    basic_auth,
    custom_headers,
    positive_seconds,
    read_input_file,
)
from bchook_studio.cli.commands.render import (
    BODY_NAME,
    add_render_options,
    render_body,
    report_problems,
    template_name,
)
from bchook_studio.cli.network_arguments import add_network_arguments
from bchook_studio.cli.output import UsageError


def add_request_options(
    parser: argparse.ArgumentParser, *, raw_body: bool = True
) -> None:
    """Add every option that shapes the request, except the URL.

    `raw_body` False hides --body from the help, for commands that send many
    topics, which one raw body cannot stand for; they reject it with a message.
    """
    add_format(parser)
    body_source = parser.add_mutually_exclusive_group()
    body_help = "send this file's bytes as they are instead of the example event"
    body_source.add_argument(
        "--body",
        metavar="FILE",
        help=body_help if raw_body else argparse.SUPPRESS,
    )
    body_source.add_argument(
        "--template",
        metavar="FILE",
        help="render this body template (UTF-8) against the event and send the result",
    )
    add_render_options(parser)
    add_auth(parser)
    add_headers(parser)
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=30.0,
        metavar="S",
        help="seconds allowed to connect and for each read and write (default 30)",
    )
    parser.add_argument(
        "--total-timeout",
        type=positive_seconds,
        default=120.0,
        metavar="S",
        help="seconds allowed for the whole exchange (default 120)",
    )
    add_network_arguments(parser)


@dataclass(frozen=True)
class RequestSettings:
    """Everything about a request except its URL and body."""

    auth: Any
    headers: tuple[tuple[str, str], ...]
    timeouts: Any
    tls: Any
    proxy: Any
    redirects: Any

    def outgoing(self, url: str, body: bytes, content_type: str):
        """Return the OutgoingRequest for one body sent to `url`."""
        from bchook_studio.core.delivery.request import OutgoingRequest

        return OutgoingRequest(
            url=url,
            body=body,
            content_type=content_type,
            auth=self.auth,
            headers=self.headers,
            timeouts=self.timeouts,
            tls=self.tls,
            proxy=self.proxy,
            redirects=self.redirects,
        )


def request_settings(options: argparse.Namespace) -> RequestSettings:
    """Read the request options, or raise UsageError naming the bad value."""
    from bchook_studio.cli.network_arguments import network_settings
    from bchook_studio.core.delivery.request import Timeouts

    tls, proxy, redirects = network_settings(options)
    return RequestSettings(
        auth=basic_auth(options),
        headers=custom_headers(options.header),
        timeouts=Timeouts(options.timeout, options.total_timeout),
        tls=tls,
        proxy=proxy,
        redirects=redirects,
    )


@dataclass(frozen=True)
class Body:
    """The bytes to send and the name that error lines give them."""

    data: bytes | None
    """None when the template failed to render; its problems were reported."""

    name: str


def check_body_options(options: argparse.Namespace) -> None:
    """Reject template options given with --body, which sends a file as it is."""
    if options.body is None:
        return
    for flag, value in (
        ("--event", options.event),
        ("--now", options.now),
        ("--seed", options.seed),
    ):
        if value is not None:
            raise UsageError(
                f"{flag} cannot be used with --body, which sends the file as it "
                "is; use --template to render a body"
            )


def body_for_topic(options: argparse.Namespace, topic, body_format) -> Body:
    """Return the body to send for `topic`: the file, the rendered template, or
    the example event as `show` prints it."""
    from bchook_studio.core.bodies import default_body

    if options.body is not None:
        return Body(read_input_file(options.body, "body"), options.body)

    if options.template is not None or options.event is not None:
        result = render_body(options, topic, body_format, check=False)
        if result.problems:
            report_problems(result, options)
            return Body(None, template_name(options))
        return Body(result.text.encode("utf-8"), BODY_NAME)

    return Body(default_body(topic, body_format).encode("utf-8"), BODY_NAME)
