"""`bchook-studio receive`: run the built-in receiver and print each request."""

import argparse
import re

from bchook_studio.cli.arguments import (
    add_auth,
    basic_auth,
    count_in_range,
    read_input_file,
)
from bchook_studio.cli.output import (
    EXIT_INTERRUPTED,
    CommandFailedError,
    UsageError,
    escape_controls,
    warning,
    write_text,
)

FAULTS = ("hang", "drop", "slow")

_LINE_BREAK = re.compile(r"\r?\n")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "receive",
        help="run the built-in receiver and print each request",
        description=(
            "Listen for webhooks and print one tab-separated line per request: "
            "time, client, method, path, status, body size and content type. "
            "Text from requests is printed with \\xHH, \\uHHHH or \\UHHHHHHHH "
            "escapes for control characters other than tab, LF and the CR of "
            "a CR LF line break, for format characters such as the "
            "bidirectional controls, and for the Unicode line and paragraph "
            "separators. "
            "It runs until Ctrl+C or SIGTERM stops it, and then exits with "
            "status 130, as every sub-command does when interrupted."
        ),
    )
    _add_address_options(parser)
    _add_response_options(parser)
    add_auth(parser)
    parser.add_argument(
        "--max-body",
        type=_max_body,
        default=None,
        metavar="BYTES",
        help="largest request body accepted, in bytes (default 10485760); "
        "a larger one gets status 413, and at most its first BYTES bytes are "
        "kept and shown",
    )
    parser.add_argument(
        "--show-body",
        action="store_true",
        help="print each request body under its line, indented by two spaces",
    )
    parser.set_defaults(run=run)


def _add_address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=None,
        metavar="H",
        help="address to listen on (default 127.0.0.1); any other than a "
        "loopback address lets other machines send to it",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="N",
        help="port to listen on (default 8765); 0 picks a free one",
    )


def _add_response_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status",
        type=_status,
        default=200,
        metavar="CODE",
        help="status of every response, 200 to 599 (default 200)",
    )
    parser.add_argument(
        "--delay-ms",
        type=_delay,
        default=0,
        metavar="MS",
        help="milliseconds to wait before responding (default 0)",
    )
    parser.add_argument(
        "--respond-body",
        metavar="FILE",
        help="send this file's bytes as the body of every response",
    )
    parser.add_argument(
        "--respond-header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="a header of every response; repeat for more",
    )
    parser.add_argument(
        "--fault",
        choices=FAULTS,
        type=str.lower,
        help="imitate a broken endpoint: hang (never respond), drop (close "
        "without a response) or slow (send the response a byte at a time)",
    )


def _port(text: str) -> int:
    return count_in_range(text, "port", 0, 65535)


def _status(text: str) -> int:
    return count_in_range(text, "status", 200, 599)


def _delay(text: str) -> int:
    return count_in_range(text, "delay in milliseconds", 0, 600_000)


def _max_body(text: str) -> int:
    return count_in_range(text, "body size in bytes", 1, 2**40)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.core.receiver import (
        DEFAULT_HOST,
        DEFAULT_PORT,
        NonLoopbackHostError,
        PortInUseError,
        ReceiverLimits,
        ReceiverSettings,
        ReceiverStartError,
    )

    rule = _rule(options)
    max_body = options.max_body or ReceiverLimits.max_body
    limits = ReceiverLimits(
        max_body=max_body,
        # Requests are printed, never looked up later, so the log keeps one.
        max_kept_requests=1,
        max_kept_bytes=max_body + ReceiverLimits.max_header_size,
    )
    settings = ReceiverSettings(
        host=options.host if options.host is not None else DEFAULT_HOST,
        port=options.port if options.port is not None else DEFAULT_PORT,
        # Naming a host on the command line is the explicit choice.
        allow_non_loopback=True,
        limits=limits,
        rules=(rule,),
    )

    try:
        return _serve(settings, options.show_body)
    except PortInUseError as exc:
        raise UsageError(
            f"port {exc.port} on {exc.host} is already in use; choose another "
            "with --port N, or --port 0 for a free one"
        ) from None
    except (NonLoopbackHostError, ReceiverStartError) as exc:
        raise UsageError(str(exc)) from None


def _rule(options: argparse.Namespace):
    """Return the one rule that responds to every request, or raise UsageError."""
    from bchook_studio.core.receiver import Fault, RequiredCredentials, ResponseRule
    from bchook_studio.core.receiver.rules import check_response_header

    headers = []
    for line in options.respond_header:
        name, colon, value = line.partition(":")
        if not colon:
            raise UsageError(
                f"the response header {line!r} has no colon. Write it as 'Name: value'."
            )
        try:
            headers.append(check_response_header(name, value))
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    body = b""
    if options.respond_body is not None:
        from bchook_studio.core.receiver.responses import BODYLESS_STATUSES

        body = read_input_file(options.respond_body, "response body")
        if options.status in BODYLESS_STATUSES and body:
            warning(
                f"a {options.status} response has no body, so the receiver does not "
                f"send {options.respond_body}; use --status 200 to send it"
            )

    auth = basic_auth(options)
    try:
        credentials = (
            RequiredCredentials(auth.username, auth.password) if auth else None
        )
        return ResponseRule(
            status=options.status,
            delay_ms=options.delay_ms,
            headers=tuple(headers),
            body=body,
            credentials=credentials,
            fault=Fault(options.fault or Fault.NONE),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _serve(settings, show_body: bool) -> int:
    import asyncio

    try:
        return asyncio.run(_receive(settings, show_body))
    except KeyboardInterrupt:
        # On Windows the loop cannot handle signals, so Ctrl+C raises KeyboardInterrupt.
        return EXIT_INTERRUPTED


async def _receive(settings, show_body: bool) -> int:
    import asyncio
    import signal

    from bchook_studio.core.receiver import Receiver
    from bchook_studio.core.receiver.addresses import is_loopback_address

    receiver = Receiver(settings)
    await receiver.start()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    printer = _Printer(show_body, stop, settings.limits.max_body)
    handled_signals = []
    try:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signal_number, stop.set)
            except (NotImplementedError, RuntimeError):
                continue
            handled_signals.append(signal_number)

        receiver.log.add_listener(printer.print_request)
        write_text(f"listening on {receiver.base_url}/\n")
        if not is_loopback_address(receiver.address[0]):
            warning(f"listening on {settings.host}, which other machines can reach")
        await stop.wait()
    except BrokenPipeError:
        printer.broken_pipe = True
    finally:
        for signal_number in handled_signals:
            loop.remove_signal_handler(signal_number)
        await receiver.stop()

    if printer.broken_pipe:
        raise BrokenPipeError
    if printer.output_error is not None:
        raise printer.output_error
    # Only a signal or a closed stdout ends the wait, so this run was interrupted.
    return EXIT_INTERRUPTED


class _Printer:
    """A log listener that prints each request, and its body with --show-body."""

    def __init__(self, show_body: bool, stop, max_body: int) -> None:
        self.show_body = show_body
        self.broken_pipe = False
        self.output_error: CommandFailedError | None = None
        """The failed write to stdout that stopped the receiver, if any."""
        self._stop = stop
        self._max_body = max_body

    def print_request(self, request) -> None:
        text = request_text(request, self.show_body)
        try:
            write_text(text)
        except BrokenPipeError:
            # The reader of stdout went away (for example `| head`): stop.
            self.broken_pipe = True
            self._stop.set()
            return
        except CommandFailedError as exc:
            # Stdout cannot take the lines (a full disk, a size limit), so the
            # receiver stops rather than serve requests that are never printed.
            self.output_error = exc
            self._stop.set()
            return
        if request.truncated or request.status == 413:
            warning(over_limit_text(request, self._max_body))


def over_limit_text(request, max_body: int) -> str:
    """Return the warning for a request whose body is over the --max-body limit."""
    sizes = [f"{request.body_size} bytes arrived"]
    if request.declared_size is not None:
        sizes.append(f"Content-Length declared {request.declared_size}")
    sizes.append(f"{len(request.body)} were kept")
    status = "no status" if request.status is None else f"status {request.status}"
    return (
        f"the body of request {request.id} is over the --max-body limit of "
        f"{max_body} bytes ({', '.join(sizes)}); it got {status}"
    )


def request_text(request, show_body: bool) -> str:
    """Return the text printed for one request: its line, and its body if `show_body`.

    Control and format characters from the request are escaped by
    `escape_controls` on a pipe or file too, because `receive | grep` or
    `| tee` still shows the output on a terminal.
    """
    text = request_line(request) + "\n"
    if show_body:
        text += body_block(request)
    return text


def _field(value: str) -> str:
    """Return `value` on one line: tabs, CR and LF become spaces, and other
    control and format characters become escapes."""
    one_line = value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return escape_controls(one_line)


def request_line(request) -> str:
    """Return the tab-separated line printed for one request."""
    from bchook_studio.core.receiver.addresses import host_port

    time = request.time.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    fields = [
        time,
        host_port(request.client_host, request.client_port),
        request.method,
        request.target,
        "-" if request.status is None else str(request.status),
        str(request.body_size),
        request.header("content-type") or "-",
    ]
    return "\t".join(_field(value) for value in fields)


def body_block(request) -> str:
    """Return the body as printed under its line: indented, then an empty line.

    Only CR LF and LF start a new line. A lone CR, and the other characters
    that `str.splitlines` breaks at (VT, FF, U+001C to U+001E, U+0085, U+2028,
    U+2029), are escaped like any other control or format character, so a CR
    cannot move the cursor back and print over the start of the line.
    """
    from bchook_studio.core.text_decoding import binary_summary, decode_body

    decoded = decode_body(request.body, request.header("content-type"))
    if decoded.is_binary:
        lines = [binary_summary(decoded)]
    else:
        assert decoded.text is not None
        lines = _LINE_BREAK.split(decoded.text)
        if lines[-1] == "":
            # A final line break ends the last line and starts no new one.
            lines.pop()
    return "".join(f"  {escape_controls(line)}\n" for line in lines) + "\n"
