"""Bodies and templates the benchmarks feed the app, built the same in every process.

Each builder is deterministic, so a baseline process and a candidate process
that build the same size get the same bytes without passing them around.
"""

import json
from typing import Any

from bchook_studio.core.topics import all_topics

MB = 1000 * 1000

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def event_list(size: int) -> list[dict[str, Any]]:
    """Return copies of the 24 example events, renumbered, of about `size` bytes
    as compact JSON."""
    examples = [topic.example_event() for topic in all_topics()]
    events: list[dict[str, Any]] = []
    total = 0
    while total < size:
        event = dict(examples[len(events) % len(examples)])
        event["sequence"] = len(events)
        events.append(event)
        total += len(_compact(event)) + 1
    return events


def json_body(size: int) -> bytes:
    """Return a JSON event list of at least `size` bytes on one line."""
    return _compact({"events": event_list(size)}).encode("utf-8")


def xml_body(size: int) -> bytes:
    """Return the same event list in the studio's XML layout, on one line.

    The layout comes from the studio's converter; the indentation it adds is
    removed, so the document is one line like the JSON body.
    """
    from lxml import etree

    from bchook_studio.core.formats import json_to_xml

    def convert(json_size: int) -> bytes:
        parser = etree.XMLParser(remove_blank_text=True)
        indented = json_to_xml({"events": event_list(json_size)}).encode()
        root = etree.fromstring(indented, parser)
        return _XML_DECLARATION + etree.tostring(root, encoding="unicode").encode()

    # A small sample gives the growth from compact JSON to this layout.
    sample = 200_000
    growth = len(convert(sample)) / sample
    json_size = int(size / growth)
    document = convert(json_size)
    while len(document) < size:
        json_size += max((size - len(document)) // 2, 1000)
        document = convert(json_size)
    return document


def template_text(line_count: int, size: int) -> str:
    """Return a JSON template of `line_count` lines and about `size` characters.

    Most lines are plain JSON members; every tenth one has a placeholder, so the
    editor colours template tags as well as JSON.
    """
    inner = line_count - 4
    # A member line without its padding, newline included, is about 34 characters.
    width = max(size // line_count - 34, 8)
    lines = ["{", '  "items": {']
    for number in range(inner):
        key = f"field_{number:05d}"
        if number % 10 == 0:
            value = '"{{ topic.key }}"'
        else:
            value = json.dumps(f"value {number} " + "x" * width)
        separator = "," if number < inner - 1 else ""
        lines.append(f'    "{key}": {value}{separator}')
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
