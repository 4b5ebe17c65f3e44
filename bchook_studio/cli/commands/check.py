"""`bchook-studio check`: send every topic to an endpoint and judge each response.

Output follows the CLI contract: one line per topic (`PASS`, `FAIL` or
`ERROR`), then `N passed, M failed`, where an ERROR counts as failed. The lines
come in catalogue order, each as soon as its topic and every topic before it
are judged. Exit status 0 when every topic passed, 1 otherwise, 2 for a
usage error, 130 when Ctrl+C or SIGTERM cancelled the run. A cancelled run
still writes the lines of the finished topics, the summary and the reports.
"""

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from bchook_studio.cli.arguments import reject_receiver_url, whole_number
from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    PROG,
    CommandFailedError,
    UsageError,
    command_failed,
    format_mib,
    is_stdout_path,
    one_line,
    terminal_safe,
    warning,
    write_output_file,
    write_text,
)
from bchook_studio.cli.request_options import add_request_options, request_settings

# Options that shape the request and that a saved webhook already sets.
_WEBHOOK_SETTINGS = (
    ("user", "--user"),
    ("password_env", "--password-env"),
    ("header", "--header"),
    ("ca_bundle", "--ca-bundle"),
    ("insecure", "--insecure"),
    ("client_cert", "--client-cert"),
    ("client_key", "--client-key"),
    ("client_cert_password_env", "--client-cert-password-env"),
    ("proxy", "--proxy"),
    ("proxy_password_env", "--proxy-password-env"),
    ("no_proxy", "--no-proxy"),
    ("follow_redirects", "--follow-redirects"),
    ("max_redirects", "--max-redirects"),
)
_SHOWN_NAMES = 10
"""Saved webhook names listed in the error for an unknown --webhook name."""


class DamagedWebhookError(Exception):
    """A saved webhook whose stored definition cannot be decoded (exit status 1)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="send every topic to an endpoint and check the responses",
        description=(
            "POST every topic (or those given with --topics) to an endpoint as "
            "BrainCert would, judge each response against the expectations, and "
            "print one line per topic starting PASS, FAIL or ERROR, then "
            "'N passed, M failed'. The URL may contain {topic}, replaced by each "
            "topic's key. Each topic sends its example event, or the --event "
            "file for every topic, rendered through --template or the default "
            "template. With --webhook the saved webhook's URL, format, "
            "credentials, headers and network settings are used; --url, "
            "--format, --template, --event, --timeout, --total-timeout, "
            "--topics and the expectations override them. Exit status 0 when "
            "every topic passed, 1 otherwise, 2 for a usage error, 130 when "
            "interrupted."
        ),
    )
    parser.add_argument(
        "--url",
        help="the endpoint to POST to; {topic} is replaced by each topic's key",
    )
    parser.add_argument(
        "--webhook",
        metavar="NAME",
        help="send with this saved webhook's settings (name, case ignored)",
    )
    parser.add_argument(
        "--topics",
        metavar="KEY,...",
        help="comma-separated topic keys or titles to send (default: all 24); "
        "they run and are reported in catalogue order",
    )
    add_request_options(parser, raw_body=False)
    # A default of None marks an option as not given, so that a saved webhook
    # keeps its own format and timeouts unless the command line overrides them.
    parser.set_defaults(format=None, timeout=None, total_timeout=None)

    expectations = parser.add_argument_group("expectations")
    expectations.add_argument(
        "--expect-status",
        metavar="SPEC",
        default="2xx",
        help="accepted statuses: a code (201), a class (2xx), a range (200-299), "
        "or a comma list of these (default 2xx)",
    )
    expectations.add_argument(
        "--max-ms",
        type=_positive_count,
        metavar="N",
        help="milliseconds allowed from the start of a request to its complete "
        "response (default: no limit)",
    )
    expectations.add_argument(
        "--expect-body-contains",
        metavar="TEXT",
        help="text each response body must contain (case-sensitive)",
    )
    expectations.add_argument(
        "--expect-field",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="a field each response must have: a JSON Pointer for JSON bodies "
        "(/data/ok=true) or an XPath for XML bodies (//status=ok); repeat for more",
    )

    pacing = parser.add_argument_group("pacing")
    pacing.add_argument(
        "--concurrency",
        type=_concurrency,
        default=4,
        metavar="N",
        help="deliveries in flight at once (default 4)",
    )
    pacing.add_argument(
        "--pause-ms",
        type=_non_negative_count,
        default=0,
        metavar="N",
        help="milliseconds between the starts of two deliveries (default 0)",
    )

    reports = parser.add_argument_group("reports")
    reports.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    reports.add_argument("--html", metavar="FILE", help="write an HTML report")
    reports.add_argument("--json", metavar="FILE", help="write a JSON report")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not record the deliveries in the history",
    )
    parser.set_defaults(run=run)


def _positive_count(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}; use 1 or more")
    return value


def _non_negative_count(text: str) -> int:
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}; use 0 or more")
    return value


def _concurrency(text: str) -> int:
    from bchook_studio.core.check import MAX_CONCURRENCY

    value = _positive_count(text)
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(
            f"invalid concurrency {text!r}; use 1 to {MAX_CONCURRENCY}"
        )
    return value


def _whole_number(text: str) -> int:
    value = whole_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"invalid number {text!r}; use a whole number such as 1000"
        )
    return value


def run(options: argparse.Namespace) -> int:
    import asyncio

    from bchook_studio.core.check.recording import QuietHistoryRecorder

    if options.body is not None:
        raise UsageError(
            "--body cannot be used with check, because one raw body cannot stand "
            "for every topic; use --template FILE to render each topic's event"
        )
    if options.url is None and options.webhook is None:
        raise UsageError("give --url URL or --webhook NAME to choose the endpoint")

    report_paths = _report_paths(options)
    try:
        plan, webhook_id = _plan(options)
    except DamagedWebhookError as exc:
        return command_failed(str(exc))

    recorder = None
    if not options.no_history:
        recorder = QuietHistoryRecorder(
            webhook_id,
            plan.webhook.name if webhook_id is not None else None,
            plan.webhook.secret_query_parameters,
            on_problem=warning,
        )
    printer = _Printer([topic.key for topic in plan.topics], options.template)
    result = asyncio.run(_run_check(plan, recorder, printer))
    printer.print_remaining()
    if printer.broken_pipe:
        raise BrokenPipeError

    named = tuple(name_template(item, options.template) for item in result.results)
    result = dataclasses.replace(result, results=named)
    if printer.output_error is not None:
        # The reports are still written, for a CI job whose log cannot be.
        _finish(result, report_paths, print_summary=False)
        raise printer.output_error
    return _finish(result, report_paths)


def name_template(result: Any, template_file: str | None) -> Any:
    """Return `result` with its render problem named after `template_file`.

    The core names the template `template` (`template:1:10: …`) because the
    app has no file name. `render` and `send` use the file given, so check
    does too. Results without a template problem are returned as they are.
    """
    from bchook_studio.core.check.results import TEMPLATE_KIND

    prefix = "template:"
    if template_file is None or result.kind != TEMPLATE_KIND:
        return result
    if not result.reason.startswith(prefix):
        return result
    reason = f"{template_file}:{result.reason[len(prefix) :]}"
    return dataclasses.replace(result, reason=reason)


def _plan(options: argparse.Namespace) -> tuple[Any, int | None]:
    """Return the CheckPlan the options describe and the saved webhook's id."""
    from bchook_studio.cli.commands.render import load_event, load_template
    from bchook_studio.core.check import (
        TOPIC_PLACEHOLDER,
        CheckPlan,
        unknown_placeholders,
    )
    from bchook_studio.core.formats import BodyFormat

    expectations = _expectations(options)
    topics = _topics(options.topics)

    if options.webhook is not None:
        webhook, webhook_id = _saved_webhook(options)
    else:
        webhook, webhook_id = _command_line_webhook(options), None
    _reject_receiver_target(webhook.url, options)

    changes: dict[str, Any] = {
        "topics": topics,
        "expectations": expectations,
        "concurrency": options.concurrency,
        "pause_ms": options.pause_ms,
        "now": options.now,
        "seed": options.seed,
    }
    for placeholder in unknown_placeholders(webhook.url):
        warning(
            f"the URL {webhook.url} contains {placeholder}, which is sent as it "
            f"is: only {TOPIC_PLACEHOLDER} is replaced, by each topic's key"
        )
    if options.template is not None:
        template, _name = load_template(
            options.template, BodyFormat(webhook.body_format)
        )
        changes["template"] = template
    if options.event is not None:
        changes["event"] = load_event(options.event, None)
    return CheckPlan.from_webhook(webhook, **changes), webhook_id


def _expectations(options: argparse.Namespace) -> Any:
    from bchook_studio.core.check import (
        ExpectationError,
        Expectations,
        parse_field_expectation,
        parse_status_spec,
    )

    try:
        status = parse_status_spec(options.expect_status)
        fields = tuple(parse_field_expectation(text) for text in options.expect_field)
        return Expectations(
            status=status,
            max_ms=options.max_ms,
            body_contains=options.expect_body_contains,
            fields=fields,
        )
    except ExpectationError as exc:
        raise UsageError(str(exc)) from None


def _topics(text: str | None) -> tuple[Any, ...]:
    """Return the topics --topics names, in catalogue order, or all of them."""
    from bchook_studio.core.topics import UnknownTopicError, all_topics, find_topic

    if text is None:
        return all_topics()
    chosen = set()
    for name in text.split(","):
        if not name.strip():
            continue
        try:
            chosen.add(find_topic(name).key)
        except UnknownTopicError as exc:
            raise UsageError(f"--topics: {exc}") from None
    if not chosen:
        raise UsageError("--topics names no topic; give keys such as user.created")
    return tuple(topic for topic in all_topics() if topic.key in chosen)


def _command_line_webhook(options: argparse.Namespace) -> Any:
    """Return the webhook that --url and the request options describe."""
    from bchook_studio.core.delivery.request import Timeouts
    from bchook_studio.core.formats import BodyFormat
    from bchook_studio.core.webhook import HeaderRow, Webhook

    defaults = Timeouts()
    if options.timeout is None:
        options.timeout = defaults.operation
    if options.total_timeout is None:
        options.total_timeout = defaults.total
    settings = request_settings(options)

    auth = settings.auth
    return Webhook(
        name="",
        url=options.url,
        body_format=BodyFormat(options.format or "json"),
        auth_enabled=auth is not None,
        username="" if auth is None else auth.username,
        password="" if auth is None else auth.password,
        headers=tuple(HeaderRow(name, value) for name, value in settings.headers),
        timeouts=settings.timeouts,
        tls=settings.tls,
        proxy=settings.proxy,
        redirects=settings.redirects,
    )


def _saved_webhook(options: argparse.Namespace) -> tuple[Any, int]:
    """Return the saved webhook named by --webhook, with the overrides applied."""
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.delivery.request import Timeouts
    from bchook_studio.core.formats import BodyFormat
    from bchook_studio.core.logs import register_secret
    from bchook_studio.core.store.secrets import describe_field
    from bchook_studio.core.webhook_codec import WebhookCodecError

    for attribute, flag in _WEBHOOK_SETTINGS:
        if getattr(options, attribute) not in (None, False, []):
            raise UsageError(
                f"{flag} cannot be combined with --webhook, which sends with the "
                "saved webhook's settings; change them in the app, or give every "
                "setting on the command line with --url and no --webhook"
            )

    with open_store() as store:
        summary = _find_webhook(options.webhook, store.list_webhooks())
        try:
            saved = store.get_webhook(summary.id)
        except WebhookCodecError as exc:
            raise DamagedWebhookError(
                f"the saved webhook {summary.name!r} cannot be read: {exc}. Save "
                "it again in the app, or use --url"
            ) from None

    webhook = saved.webhook
    if saved.missing_secrets:
        missing = ", ".join(describe_field(field) for field in saved.missing_secrets)
        raise UsageError(
            f"the {missing} of the saved webhook {webhook.name!r} is not available, "
            "because neither the keychain nor this session holds it; enter it "
            "again in the app, or use --url with --user and --password-env"
        )
    register_secret(webhook.password)
    for row in webhook.headers:
        if row.secret:
            register_secret(row.value)

    changes: dict[str, Any] = {}
    if options.url is not None:
        changes["url"] = options.url
    if options.format is not None:
        changes["body_format"] = BodyFormat(options.format)
    if options.timeout is not None or options.total_timeout is not None:
        changes["timeouts"] = Timeouts(
            options.timeout or webhook.timeouts.operation,
            options.total_timeout or webhook.timeouts.total,
        )
    return webhook.with_changes(**changes), saved.id


def _find_webhook(name: str, summaries: list[Any]) -> Any:
    from bchook_studio.core.store.webhooks import name_key

    requested_key = name_key(name)
    for summary in summaries:
        if name_key(summary.name) == requested_key:
            return summary

    if not summaries:
        raise UsageError(
            f"no saved webhook is named {name!r}: no webhooks are saved yet. "
            "Save one in the app, or use --url"
        )
    names = [repr(summary.name) for summary in summaries[:_SHOWN_NAMES]]
    listed = ", ".join(names)
    if len(summaries) > _SHOWN_NAMES:
        listed += f" and {len(summaries) - _SHOWN_NAMES} more"
    raise UsageError(
        f"no saved webhook is named {name!r} (names ignore case). Saved webhooks: "
        f"{listed}"
    )


def _reject_receiver_target(url: str, options: argparse.Namespace) -> None:
    source = (
        f"the saved webhook {options.webhook!r} sends to {url}"
        if options.url is None
        else f"--url {url} names"
    )
    reject_receiver_url(url, source)


_REPORT_SUFFIXES = {"--junit": ".xml", "--html": ".html", "--json": ".json"}


def _report_paths(options: argparse.Namespace) -> list[tuple[str, Path]]:
    """Return (flag, path) for each report requested.

    Raises UsageError before the run for a path that is a folder or whose
    folder does not exist.
    """
    paths = []
    for flag, value in (
        ("--junit", options.junit),
        ("--html", options.html),
        ("--json", options.json),
    ):
        if value is None:
            continue
        if is_stdout_path(value):
            raise UsageError(
                f"{flag} -: standard output carries the PASS and FAIL lines, so "
                "the report needs a file name, such as "
                f"{flag} check-report{_REPORT_SUFFIXES[flag]}"
            )
        path = Path(value)
        if path.is_dir():
            raise UsageError(f"{flag} {value} is a folder; name a file")
        folder = path.parent
        if not folder.is_dir():
            raise UsageError(
                f"{flag} {value}: the folder {folder} does not exist; create it first"
            )
        for other_flag, other in paths:
            if os.path.abspath(other) == os.path.abspath(path):
                raise UsageError(
                    f"{other_flag} {other} and {flag} {value} name the same file, "
                    "so one report would overwrite the other; give each report "
                    "its own file"
                )
        paths.append((flag, path))
    return paths


class _Printer:
    """Writes one line per judged topic, in catalogue order, and the warnings.

    A topic's line waits until every topic before it has its verdict, so that
    the output does not depend on which response came first.
    """

    def __init__(self, topic_keys: list[str], template_file: str | None = None) -> None:
        self.broken_pipe = False
        self.output_error: CommandFailedError | None = None
        """The failed write to stdout after which no line is printed, if any."""
        self._template_file = template_file
        self.runner: Any = None
        self._order = topic_keys
        self._next = 0
        self._waiting: dict[str, Any] = {}
        self._notes: list[str] = []

    def print_result(self, result: Any) -> None:
        """Take a topic's result and print every line that is now due."""
        result = name_template(result, self._template_file)
        self._waiting[result.topic.key] = result
        while (
            self._next < len(self._order) and self._order[self._next] in self._waiting
        ):
            self._print(self._waiting.pop(self._order[self._next]))
            self._next += 1

    def print_remaining(self) -> None:
        """Print the lines still waiting, in catalogue order."""
        for key in self._order[self._next :]:
            if key in self._waiting:
                self._print(self._waiting.pop(key))
        self._next = len(self._order)

    def _print(self, result: Any) -> None:
        from bchook_studio.core.check import Verdict

        if result.verdict is Verdict.CANCELLED or self.broken_pipe:
            return
        if self.output_error is not None:
            return
        try:
            write_text(terminal_safe(result_line(result)) + "\n")
        except BrokenPipeError:
            # The reader of stdout went away, so the rest of the run is cancelled.
            self.broken_pipe = True
            if self.runner is not None:
                self.runner.cancel()
            return
        except CommandFailedError as exc:
            # Stdout cannot take the lines (a full disk, a size limit). The run
            # goes on for its history and reports, and the error ends it.
            self.output_error = exc
            return
        self._collect_warnings(result)

    def _collect_warnings(self, result: Any) -> None:
        delivery = result.delivery
        if delivery is None:
            return
        for note in delivery.notes:
            if note not in self._notes:
                self._notes.append(note)
                warning(note)
        response = delivery.response
        if response is not None and response.truncated:
            warning(
                f"{result.topic.key}: the response body is larger than the capture "
                f"cap of {format_mib(len(response.body))}, so it was cut there and "
                "the rest was not read"
            )


def result_line(result: Any) -> str:
    """Return a topic's output line: `PASS course.created 201 42 ms` and so on."""
    from bchook_studio.core.check import Verdict

    key = result.topic.key
    reason = one_line(result.reason)
    if result.verdict is Verdict.ERROR:
        return f"ERROR {key} {result.kind}: {reason}"

    timing = f"{result.status} {result.elapsed_ms:.0f} ms"
    if result.verdict is Verdict.PASSED:
        return f"PASS {key} {timing}"
    return f"FAIL {key} {timing}: {reason}"


def summary_line(result: Any) -> str:
    """Return the last line, `N passed, M failed`, where errors count as failed.

    Topics cancelled before they had a response are in neither number.
    """
    summary = result.summary
    return f"{summary.passed} passed, {summary.failed + summary.errors} failed"


async def _run_check(plan: Any, recorder: Any, printer: _Printer) -> Any:
    """Run the check with Ctrl+C and SIGTERM cancelling it; close what it opened."""
    import asyncio
    import signal

    from bchook_studio.core.check import CheckRunner
    from bchook_studio.core.delivery.clients import ClientPool

    if recorder is not None:
        await asyncio.to_thread(recorder.open)
    pool = ClientPool()
    runner = CheckRunner(plan, pool, recorder=recorder, on_result=printer.print_result)
    printer.runner = runner
    loop = asyncio.get_running_loop()
    handled: dict[int, Any] = {}
    try:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signal_number)
            try:
                loop.add_signal_handler(signal_number, runner.cancel)
            except (NotImplementedError, RuntimeError):
                # NOTE: on Windows the loop cannot handle signals, so Ctrl+C raises
                # KeyboardInterrupt and the run ends without its summary or reports.
                continue
            handled[signal_number] = previous
        return await runner.run()
    finally:
        for signal_number, previous in handled.items():
            loop.remove_signal_handler(signal_number)
            # Removing the loop's handler leaves the default action, so the handler
            # from before the run is put back: for SIGTERM, the CLI's, which
            # raises KeyboardInterrupt instead of killing the process.
            signal.signal(
                signal_number, signal.SIG_DFL if previous is None else previous
            )
        await pool.aclose()
        if recorder is not None:
            await asyncio.to_thread(recorder.close)


def _finish(
    result: Any, report_paths: list[tuple[str, Path]], *, print_summary: bool = True
) -> int:
    from bchook_studio.core.check.reports import html_report, json_report, junit_report

    summary = result.summary
    if result.cancelled:
        warning(
            f"the check was cancelled: {summary.cancelled} of {summary.total} "
            "topics have no verdict"
        )
    if print_summary:
        write_text(summary_line(result) + "\n")

    writers = {"--junit": junit_report, "--html": html_report, "--json": json_report}
    reports_written = True
    for flag, path in report_paths:
        try:
            # Reports mask secrets, so they get the umask's permissions.
            write_output_file(path, writers[flag](result), private=False)
        except OSError as exc:
            reports_written = False
            print(
                f"{PROG}: error: failed to write the {flag} report {path}: "
                f"{exc.strerror or exc}. Choose another path",
                file=sys.stderr,
                flush=True,
            )

    if result.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.passed and reports_written else EXIT_FAILED
