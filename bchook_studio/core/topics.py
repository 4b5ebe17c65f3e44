"""The 24 BrainCert webhook topics and their example events.

`resources/topics/catalogue.json` lists the topics in the order BrainCert's webhook
settings page shows them. Each topic's example event is in its own file,
`resources/topics/<key>.json`, copied field for field from BrainCert's help article
on LMS webhooks, typos included, with every e-mail address moved to example.com.
"""

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bchook_studio.core import resources

logger = logging.getLogger(__name__)

TOPICS_FOLDER = "topics"
CATALOGUE_FILE = "catalogue.json"

# UI groups follow the subject of a topic, not the `resource` field of its events,
# which is "assessment" for tests and "virtual classroom" for live classes.
GROUPS: tuple[str, ...] = (
    "User",
    "Group",
    "Course",
    "Course Bundle",
    "Test",
    "Live Class",
    "Product",
    "Sale",
)

# The fields of one catalogue.json entry, in file order.
ENTRY_FIELDS: tuple[str, ...] = (
    "key",
    "title",
    "trigger",
    "resource",
    "action",
    "group",
    "notes",
    "example",
)

_REINSTALL = "Reinstall BrainCert Hook Studio."


class CatalogueError(Exception):
    """A missing or invalid catalogue file or example event."""


class UnknownTopicError(LookupError, ValueError):
    """A topic name that matches no topic key or title."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)

        message = f"unknown topic {name!r}: no topic has this key or title."
        if self.suggestions:
            quoted = " or ".join(repr(key) for key in self.suggestions)
            message += f" Did you mean {quoted}?"
        message += " Run `bchook-studio topics` to list the valid keys and titles."
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Topic:
    """One webhook topic as BrainCert's settings page lists it."""

    key: str
    title: str
    trigger: str
    resource: str
    action: str
    group: str
    notes: str
    example_file: str

    def example_text(self) -> str:
        """Return the example event file's text exactly as shipped.

        The text is two-space indented JSON with a final new line.
        """
        return _read_example_text(self.example_file)

    def example_event(self) -> dict[str, Any]:
        """Parse the example event into a new dict, keeping the file's key order.

        Every call returns a new object, so the caller may change it freely.
        """
        event = json.loads(self.example_text())
        if not isinstance(event, dict):
            raise CatalogueError(
                f"the example event {self.example_file} for topic {self.key!r} is "
                f"not a JSON object. {_REINSTALL}"
            )
        return event

    def to_dict(self) -> dict[str, str]:
        """Return the topic's description fields, without the example file name."""
        return {
            "key": self.key,
            "title": self.title,
            "trigger": self.trigger,
            "resource": self.resource,
            "action": self.action,
            "group": self.group,
            "notes": self.notes,
        }


def _normalise_name(name: str) -> str:
    return name.strip().casefold()


class Catalogue:
    """An ordered, read-only list of topics with lookups by name and by event.

    A topic is found by its key or its title, case-insensitively. An event is
    matched to a topic by its `resource` and `action` values. A pair that more
    than one topic shares matches none of them, because the event alone cannot
    tell them apart.
    """

    def __init__(self, topics: Iterable[Topic]) -> None:
        self._topics = tuple(topics)

        self._by_name: dict[str, Topic] = {}
        for topic in self._topics:
            if topic.group not in GROUPS:
                raise CatalogueError(
                    f"topic {topic.key!r} has the unknown group {topic.group!r}. "
                    f"Valid groups: {', '.join(GROUPS)}."
                )
            for name in (topic.key, topic.title):
                self._add_name(name, topic)

        by_pair: dict[tuple[str, str], list[Topic]] = {}
        for topic in self._topics:
            by_pair.setdefault((topic.resource, topic.action), []).append(topic)
        self._by_event_pair = {
            pair: found[0] for pair, found in by_pair.items() if len(found) == 1
        }
        self._shared_event_pairs = tuple(
            pair for pair, found in by_pair.items() if len(found) > 1
        )

    def _add_name(self, name: str, topic: Topic) -> None:
        normalised = _normalise_name(name)
        if not normalised:
            raise CatalogueError(f"topic {topic.key!r} has an empty key or title.")

        other = self._by_name.get(normalised)
        if other is not None and other is not topic:
            raise CatalogueError(
                f"the name {name!r} belongs to both topic {other.key!r} and topic "
                f"{topic.key!r}. Every key and title must be unique, ignoring case."
            )
        self._by_name[normalised] = topic

    def __iter__(self) -> Iterator[Topic]:
        return iter(self._topics)

    def __len__(self) -> int:
        return len(self._topics)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """All topics in catalogue order."""
        return self._topics

    @property
    def shared_event_pairs(self) -> tuple[tuple[str, str], ...]:
        """The (resource, action) pairs that more than one topic uses."""
        return self._shared_event_pairs

    def find(self, name: str) -> Topic:
        """Look up a topic by key or title, ignoring case and surrounding spaces.

        Raises UnknownTopicError, with close matches as suggestions, when no topic
        has that key or title.
        """
        topic = self._by_name.get(_normalise_name(name))
        if topic is None:
            raise UnknownTopicError(name, self._close_keys(name))
        return topic

    def _close_keys(self, name: str) -> list[str]:
        # difflib loads with the first unknown name, not with the window.
        import difflib

        matches = difflib.get_close_matches(
            _normalise_name(name), list(self._by_name), n=3, cutoff=0.75
        )
        keys: list[str] = []
        for match in matches:
            key = self._by_name[match].key
            if key not in keys:
                keys.append(key)
        return keys

    def by_group(self) -> dict[str, tuple[Topic, ...]]:
        """Group the topics for the UI, groups in GROUPS order.

        Topics keep catalogue order inside a group. A group with no topics is left
        out.
        """
        grouped: dict[str, tuple[Topic, ...]] = {}
        for group in GROUPS:
            members = tuple(topic for topic in self._topics if topic.group == group)
            if members:
                grouped[group] = members
        return grouped

    def for_event(self, event: Mapping[str, Any]) -> Topic | None:
        """Match an event to its topic by its `resource` and `action` values.

        The values must match exactly, as BrainCert sends them. Returns None for
        an event that is not a JSON object, lacks either field, has a pair no
        topic uses, or has a pair in `shared_event_pairs`.
        """
        if not isinstance(event, Mapping):
            return None

        resource = event.get("resource")
        action = event.get("action")
        if not isinstance(resource, str) or not isinstance(action, str):
            return None

        return self._by_event_pair.get((resource, action))


def _topic_from_entry(index: int, entry: object, source: str) -> Topic:
    if not isinstance(entry, dict):
        raise CatalogueError(
            f"entry {index} in {source} is not a JSON object. {_REINSTALL}"
        )

    if tuple(sorted(entry)) != tuple(sorted(ENTRY_FIELDS)):
        raise CatalogueError(
            f"entry {index} in {source} has the fields {', '.join(entry)}, but the "
            f"expected fields are {', '.join(ENTRY_FIELDS)}. {_REINSTALL}"
        )

    for field in ENTRY_FIELDS:
        if not isinstance(entry[field], str):
            raise CatalogueError(
                f"field {field!r} of entry {index} in {source} is not a string. "
                f"{_REINSTALL}"
            )

    example = entry["example"]
    if "/" in example or "\\" in example or example in ("", ".", ".."):
        raise CatalogueError(
            f"entry {index} in {source} names the example file {example!r}, which "
            f"is not a plain file name. {_REINSTALL}"
        )

    return Topic(
        key=entry["key"],
        title=entry["title"],
        trigger=entry["trigger"],
        resource=entry["resource"],
        action=entry["action"],
        group=entry["group"],
        notes=entry["notes"],
        example_file=example,
    )


def load_catalogue() -> Catalogue:
    """Read and check the catalogue file from the app's resources.

    Raises CatalogueError when the file is missing, is not valid JSON, or
    describes the topics inconsistently.
    """
    node = resources.resource(TOPICS_FOLDER, CATALOGUE_FILE)
    source = str(node)

    try:
        entries = json.loads(node.read_bytes())
    except (OSError, ValueError) as error:
        raise CatalogueError(
            f"failed to read the topic catalogue {source}: {error}. {_REINSTALL}"
        ) from error

    if not isinstance(entries, list):
        raise CatalogueError(
            f"the topic catalogue {source} is not a JSON array. {_REINSTALL}"
        )

    topics = [
        _topic_from_entry(index, entry, source) for index, entry in enumerate(entries)
    ]
    try:
        catalogue = Catalogue(topics)
    except CatalogueError as error:
        raise CatalogueError(
            f"the topic catalogue {source} is invalid: {error} {_REINSTALL}"
        ) from error
    logger.debug("loaded %d topics from %s", len(catalogue), source)
    return catalogue


@cache
def default_catalogue() -> Catalogue:
    """Return the shipped catalogue, loaded on first use."""
    return load_catalogue()


@cache
def _read_example_text(file_name: str) -> str:
    node = resources.resource(TOPICS_FOLDER, file_name)
    try:
        return node.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(
            f"failed to read the example event {node}: {error}. {_REINSTALL}"
        ) from error


def all_topics() -> tuple[Topic, ...]:
    """Return every topic in BrainCert's order."""
    return default_catalogue().topics


def find_topic(name: str) -> Topic:
    """Look up a topic by key or title in the shipped catalogue (see Catalogue.find)."""
    return default_catalogue().find(name)


def topics_by_group() -> dict[str, tuple[Topic, ...]]:
    """Group the shipped topics for the UI, as Catalogue.by_group does."""
    return default_catalogue().by_group()


def topic_for_event(event: Mapping[str, Any]) -> Topic | None:
    """Match an event to a shipped topic, as Catalogue.for_event does."""
    return default_catalogue().for_event(event)


def example_event(topic: Topic | str) -> dict[str, Any]:
    """Return a new copy of a topic's example event, given the topic or its name."""
    if isinstance(topic, str):
        topic = find_topic(topic)
    return topic.example_event()


def example_text(topic: Topic | str) -> str:
    """Return a topic's example event file text, given the topic or its name."""
    if isinstance(topic, str):
        topic = find_topic(topic)
    return topic.example_text()
