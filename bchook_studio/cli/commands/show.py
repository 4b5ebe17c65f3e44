"""`bchook-studio show TOPIC`: print a topic's example event."""

import argparse

from bchook_studio.cli.arguments import add_format, add_topic, resolve_topic
from bchook_studio.cli.output import EXIT_OK, write_text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print a topic's example event",
        description="Print a topic's example event as JSON or as XML.",
    )
    add_topic(parser)
    add_format(parser)
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.core.bodies import default_body
    from bchook_studio.core.formats import BodyFormat

    topic = resolve_topic(options.topic)
    write_text(default_body(topic, BodyFormat(options.format)))
    return EXIT_OK
