"""Saved webhooks: the records the store returns, names, and row conversions."""

import json
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bchook_studio.core.store.errors import InvalidNameError
from bchook_studio.core.store.secrets import SecretStorePolicy
from bchook_studio.core.unsafe_text import escaped_for_display, is_unsafe
from bchook_studio.core.webhook import Webhook
from bchook_studio.core.webhook_codec import webhook_from_dict, webhook_to_dict

logger = logging.getLogger(__name__)

ReceiverRules = list[dict[str, Any]]

_NUMBERED_NAME = re.compile(r"^(?P<base>.*?) \((?P<number>\d+)\)$")


@dataclass(frozen=True)
class WebhookSummary:
    """One line of the saved webhooks list, read without touching secrets."""

    id: int
    name: str
    topic_key: str
    url: str
    """The URL with secret parts masked."""

    body_format: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SavedWebhook:
    """A saved webhook with its secrets filled in where they could be read."""

    id: int
    webhook: Webhook
    receiver_rules: ReceiverRules
    created_at: datetime
    updated_at: datetime
    missing_secrets: tuple[str, ...] = ()
    """Secret fields whose values are gone (kept for an earlier session only, or
    no longer in the keychain); the webhook has them empty or masked."""

    secret_locations: dict[str, SecretStorePolicy] = field(default_factory=dict)
    """The storage of each secret field, for the GUI to show."""


@dataclass(frozen=True)
class DeletedWebhook:
    """A deleted webhook, kept in memory so that `Store.restore` can undo the delete."""

    id: int
    name: str
    definition: str = field(repr=False)
    receiver_rules: str
    created_at: str
    updated_at: str
    secrets: dict[str, str] = field(repr=False, default_factory=dict)


def name_key(name: str) -> str:
    """Return the form of a name that uniqueness is checked on (case ignored)."""
    return name.strip().casefold()


MAX_NAME_LENGTH = 200
"""The maximum length of a webhook name, in characters."""


def clean_name(name: str) -> str:
    """Return `name` without surrounding whitespace, or raise InvalidNameError.

    Names are checked when saved, renamed or imported, never when read, so a
    stored name that breaks a newer rule still opens.
    """
    cleaned = name.strip()
    if not cleaned:
        raise InvalidNameError("the webhook name is empty. Enter a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"the webhook name '{escaped_for_display(cleaned[:40])}…' has "
            f"{len(cleaned):,} characters. Shorten it to {MAX_NAME_LENGTH} or fewer."
        )
    if any(ord(char) < 32 for char in cleaned):
        raise InvalidNameError(
            f"the webhook name {cleaned!r} contains a line break or control "
            "character. Put the name on one line."
        )
    hidden = next((char for char in cleaned if is_unsafe(char)), None)
    if hidden is not None:
        code = f"U+{ord(hidden):04X}"
        described = unicodedata.name(hidden, "")
        if described:
            code += f" ({described})"
        raise InvalidNameError(
            f"the webhook name '{escaped_for_display(cleaned)}' contains the "
            f"invisible character {code}, which can make a name show in a "
            "different order, on several lines or like another name. Remove it."
        )
    return cleaned


def unique_name(name: str, taken_names: Iterable[str]) -> str:
    """Return `name`, or "Name (2)", "Name (3)"... when it is taken (case ignored).

    A name that already ends in " (n)" counts on from n. The base is cut so
    that the numbered name stays within MAX_NAME_LENGTH characters.
    """
    taken_keys = {name_key(other) for other in taken_names}
    if name_key(name) not in taken_keys:
        return name

    match = _NUMBERED_NAME.match(name)
    base, number = (match["base"], int(match["number"])) if match else (name, 1)
    while True:
        number += 1
        suffix = f" ({number})"
        candidate = base[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
        if name_key(candidate) not in taken_keys:
            return candidate


def now_text() -> str:
    """Return the current UTC time as stored in the database."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """Return a stored time as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def encode_definition(webhook: Webhook) -> str:
    """Return the JSON stored for a webhook whose secrets were removed.

    The name is left out because the `name` column contains it.
    """
    data = webhook_to_dict(webhook)
    data.pop("name", None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def decode_definition(name: str, definition: str) -> Webhook:
    """Return the webhook stored as `definition`, named `name`.

    Raises WebhookCodecError or json.JSONDecodeError for a damaged definition.
    """
    data = json.loads(definition)
    if isinstance(data, dict):
        data["name"] = name
    return webhook_from_dict(data)


def encode_rules(rules: ReceiverRules | None) -> str:
    """Return receiver rules as the JSON stored beside the webhook."""
    rules = [] if rules is None else rules
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise TypeError("receiver rules must be a list of dicts")
    return json.dumps(rules, ensure_ascii=False, sort_keys=True)


def decode_rules(text: str) -> ReceiverRules:
    """Return stored receiver rules; damaged rules are logged and read as none."""
    try:
        rules = json.loads(text)
    except json.JSONDecodeError as exc:
        logger.warning("ignoring damaged receiver rules: %s", exc)
        return []
    if not isinstance(rules, list):
        logger.warning("ignoring receiver rules that are not a list")
        return []
    return [rule for rule in rules if isinstance(rule, dict)]


def summary_from_row(row: sqlite3.Row) -> WebhookSummary:
    """Return the list entry for a webhooks row, from its JSON without decoding it."""
    try:
        data = json.loads(row["definition"])
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return WebhookSummary(
        id=row["id"],
        name=row["name"],
        topic_key=str(data.get("topic_key", "")),
        url=str(data.get("url", "")),
        body_format=str(data.get("body_format", "")),
        created_at=parse_time(row["created_at"]),
        updated_at=parse_time(row["updated_at"]),
    )
