"""`bchook-studio topics`: list the 24 topics."""

import argparse
import json

from bchook_studio.cli.output import EXIT_OK, write_text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "topics",
        help="list the webhook topics",
        description="List BrainCert's webhook topics with their keys and triggers.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array of objects with key, title, trigger, resource, "
        "action, group and notes",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.core.topics import all_topics

    topics = all_topics()
    if options.json:
        records = [topic.to_dict() for topic in topics]
        write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK

    key_width = max(len(topic.key) for topic in topics)
    title_width = max(len(topic.title) for topic in topics)
    lines = [
        f"{topic.key:<{key_width}}  {topic.title:<{title_width}}  {topic.trigger}"
        for topic in topics
    ]
    write_text("\n".join(lines) + "\n")
    return EXIT_OK
