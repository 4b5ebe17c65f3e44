"""`bchook-studio send TOPIC --url URL`: send one webhook and print the answer."""

import argparse

from bchook_studio.cli.arguments import (
    add_auth,
    add_format,
    add_headers,
    add_topic,
    basic_auth,
    custom_headers,
    positive_seconds,
    read_input_file,
    resolve_topic,
)
from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    failure_line,
    problem_line,
    warning,
    write_text,
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
    add_format(parser)
    parser.add_argument(
        "--body",
        metavar="FILE",
        help="send this file's bytes as they are instead of the example event",
    )
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
    parser.add_argument(
        "--send-malformed",
        action="store_true",
        help="send a body that is not well formed for its format instead of "
        "refusing it",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.core.bodies import check_body, default_body
    from bchook_studio.core.delivery.request import OutgoingRequest, Timeouts
    from bchook_studio.core.formats import BodyFormat

    topic = resolve_topic(options.topic)
    body_format = BodyFormat(options.format)
    auth = basic_auth(options)
    headers = custom_headers(options.header)

    if options.body is not None:
        body = read_input_file(options.body, "body")
        body_name = options.body
    else:
        body = default_body(topic, body_format).encode("utf-8")
        body_name = "body"

    problem = check_body(body, body_format)
    if problem is not None:
        problem_line(body_name, problem)
        if not options.send_malformed:
            return EXIT_FAILED
        warning(f"sending a body that is not well-formed {body_format.value.upper()}")

    request = OutgoingRequest(
        url=options.url,
        body=body,
        content_type=body_format.content_type,
        auth=auth,
        headers=headers,
        timeouts=Timeouts(options.timeout, options.total_timeout),
    )
    return report(_send(request))


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
    """Print a delivery result as the CLI contract says and return the exit status."""
    from bchook_studio.core.text_decoding import binary_summary, decode_body

    response = result.response
    if response is not None:
        lines = [f"{response.http_version} {response.status} {response.reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        decoded = decode_body(response.body, response.header("content-type"))
        if decoded.is_binary:
            body_text = binary_summary(decoded) + "\n"
        else:
            body_text = decoded.text
        write_text("\n".join(lines) + "\n\n" + body_text)
        if response.truncated:
            warning(
                f"the response body was cut at the capture cap of {len(response.body)} "
                f"bytes; {response.size} bytes were read"
            )

    if result.failure is not None:
        failure_line(result.failure.kind.value, result.failure.message)
        return EXIT_FAILED
    return EXIT_OK if result.ok else EXIT_FAILED
