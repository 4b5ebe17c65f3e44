"""`bchook-studio send TOPIC --url URL`: send one webhook and print the answer."""

import argparse

from bchook_studio.cli.arguments import add_topic, resolve_topic
from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
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

    topic = resolve_topic(options.topic)
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
        problem_line(body.name, problem)
        if not options.send_malformed:
            return EXIT_FAILED
        warning(f"sending a body that is not well-formed {body_format.value.upper()}")

    request = settings.outgoing(options.url, body.data, body_format.content_type)
    result = _send(request)
    status = report(result)
    if not options.no_history:
        _record(result, topic.key)
    return status


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

    On a terminal, control characters in the response are escaped.
    """
    from bchook_studio.core.text_decoding import binary_summary, decode_body

    response = result.response
    if response is not None:
        lines = [f"{response.http_version} {response.status} {response.reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        head = "\n".join(terminal_safe(line) for line in lines)
        decoded = decode_body(response.body, response.header("content-type"))
        if decoded.is_binary:
            body_text = binary_summary(decoded) + "\n"
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
        failure_line(result.failure.kind.value, result.failure.message)
        return EXIT_FAILED
    return EXIT_OK if result.ok else EXIT_FAILED
