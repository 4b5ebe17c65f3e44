"""`bchook-studio send TOPIC --url URL`: send one webhook and print the answer."""

import argparse

from bchook_studio.cli.arguments import add_topic, reject_receiver_url, resolve_topic
from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    escape_controls,
    failure_line,
    format_mib,
    problem_line,
    terminal_safe,
    warning,
    write_text,
)
from bchook_studio.cli.request_options import (
    add_request_options,
    body_for_topic,
    check_body_options,
    request_settings,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send",
        help="send one webhook and print the answer",
        description=(
            "POST a topic's event to a URL as BrainCert would, and print the "
            "response status line, headers and body. Exit status 0 for a 2xx "
            "answer, 1 for any other answer or a failure."
        ),
    )
    add_topic(parser)
    parser.add_argument("--url", required=True, help="the endpoint to POST to")
    add_request_options(parser)
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not record this delivery in the history",
    )
    parser.add_argument(
        "--send-malformed",
        action="store_true",
        help="send a body that is not well formed for its format instead of "
        "refusing it",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from dataclasses import replace

    from bchook_studio.core.bodies import check_body
    from bchook_studio.core.formats import BodyFormat
    from bchook_studio.core.formats.xml_text import ENTITIES_MESSAGE

    topic = resolve_topic(options.topic)
    reject_receiver_url(options.url, f"--url {options.url} names")
    body_format = BodyFormat(options.format)
    check_body_options(options)
    settings = request_settings(options)

    body = body_for_topic(options, topic, body_format)
    if body.data is None:
        return EXIT_FAILED
    problem = check_body(body.data, body_format)
    if problem is not None:
        if problem.column is None:
            # The contract gives send's body problems a column. Those without one
            # (an empty body, a DOCTYPE) concern the whole document, so they are
            # placed at its start.
            problem = replace(problem, column=1)
        if problem.message == ENTITIES_MESSAGE:
            # Well formed, so it is sent; the endpoint's parser may expand what
            # the studio's never does.
            warning(
                f"{body.name}:{problem}; the body is sent as written, and the "
                "endpoint's XML parser may expand the entities"
            )
        elif problem.limit is not None:
            # The parser stopped at one of its limits, so the body may be well
            # formed. It is sent, with or without --send-malformed.
            warning(
                f"{body.name}:{problem}; the rest of the body was not checked, "
                "and it is sent as written"
            )
        elif not options.send_malformed:
            problem_line(body.name, problem)
            return EXIT_FAILED
        else:
            warning(
                f"{body.name}:{problem} (the body is not well-formed "
                f"{body_format.value.upper()}; it is sent because of "
                "--send-malformed)"
            )

    request = settings.outgoing(options.url, body.data, body_format.content_type)
    result = _send(request)
    # Recorded first, so a failed write to stdout does not lose the delivery.
    if not options.no_history:
        _record(result, topic.key)
    return report(result)


def _record(result, topic_key: str) -> None:
    """Add the delivery to the history; a store problem is a warning, not a failure."""
    from bchook_studio.core.store import record_delivery_quietly

    problem = record_delivery_quietly(result, webhook_name=None, topic_key=topic_key)
    if problem is not None:
        warning(problem)


def _send(request):
    import asyncio

    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.send import deliver

    async def send_once():
        pool = ClientPool()
        try:
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(send_once())


def report(result) -> int:
    """Print a delivery result as the CLI contract specifies; return the exit status.

    Control characters in the status line, the headers and a binary body's
    summary are always escaped, because HTTP forbids them in those fields. A
    text body is printed as received, escaped only on a terminal.
    """
    from bchook_studio.core.text_decoding import binary_summary, decode_body

    response = result.response
    if response is not None:
        lines = [f"{response.http_version} {response.status} {response.reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        head = "\n".join(escape_controls(line) for line in lines)
        decoded = decode_body(response.body, response.header("content-type"))
        if decoded.is_binary:
            body_text = escape_controls(binary_summary(decoded)) + "\n"
        else:
            body_text = terminal_safe(decoded.text, multiline=True)
        write_text(head + "\n\n" + body_text)
        if response.truncated:
            warning(
                "the response body is larger than the capture cap of "
                f"{format_mib(len(response.body))}, so it was cut there and the "
                "rest was not read"
            )

    for note in result.notes:
        warning(note)
    if result.failure is not None:
        kind = result.failure.kind.value
        message = result.failure.message
        failure_line(kind, f"{message} {flag_hint(kind, message)}".strip())
        return EXIT_FAILED
    return EXIT_OK if result.ok else EXIT_FAILED


# The options that change the setting a failure message names. The messages
# come from core code that the GUI shares, so they name settings and the CLI
# adds the flags here.
_FLAG_HINTS = {
    "too_many_redirects": "On the command line, set the limit with --max-redirects N.",
    "proxy": (
        "On the command line, --proxy URL sets the proxy and --no-proxy sends "
        "without one."
    ),
    "connect_timeout": "On the command line, set the timeout with --timeout SECONDS.",
    "read_timeout": "On the command line, set the timeout with --timeout SECONDS.",
    "write_timeout": "On the command line, set the timeout with --timeout SECONDS.",
    "total_timeout": (
        "On the command line, set the deadline with --total-timeout SECONDS."
    ),
}

_URL_HINT = (
    "Check the --url value, written as http://HOST:PORT/PATH or "
    "https://HOST:PORT/PATH with PORT a number from 1 to 65535."
)


def flag_hint(kind: str, message: str) -> str:
    """Return the sentence naming the CLI flag that fixes a failure, or ''."""
    if kind == "invalid_url":
        # Only the messages that pass on httpx's parse error lack a fix. Those
        # about a redirect's Location start with "The redirect", not "The URL".
        about_url = message.startswith("The URL ") and " is invalid: " in message
        return _URL_HINT if about_url else ""
    return _FLAG_HINTS.get(kind, "")
