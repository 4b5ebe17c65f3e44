"""Webhook definitions to and from a JSON file, for sharing and backups.

The file is `{"format": "bchook-studio-webhooks", "version": 1, "webhooks":
[{"webhook": {...}, "receiver_rules": [...]}, ...]}`, each webhook as
`webhook_to_dict` writes it. Secrets are left out unless asked for: no
password fields, secret header values empty, URL and proxy URL secrets
masked. Importing never overwrites: a name that exists gets a " (n)" suffix.
"""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bchook_studio.core.caps import format_sizes_apart
from bchook_studio.core.store.errors import StoreError
from bchook_studio.core.webhook import Webhook
from bchook_studio.core.webhook_codec import (
    WebhookCodecError,
    secret_field_values,
    webhook_from_dict,
    webhook_to_dict,
)

if TYPE_CHECKING:
    from bchook_studio.core.store.store import Store

logger = logging.getLogger(__name__)

MAX_IMPORTED_BODY_BYTES = 5 * 1024 * 1024
"""The largest body or event data an imported webhook has, 5 MiB in UTF-8.

QPlainTextEdit took 1.4 to 2.1 s here to lay out 5 MB on one line, and the
body editor took about 30 s for a 40 MiB one."""

FORMAT_NAME = "bchook-studio-webhooks"
FORMAT_VERSION = 1


class DefinitionsError(ValueError):
    """A definitions file that cannot be read, with the reason and where."""


class ImportSaveError(StoreError):
    """A webhook of an import that the store could not save; none was kept."""


@dataclass(frozen=True)
class WebhookDefinition:
    """One webhook of a definitions file, with its receiver rules."""

    webhook: Webhook
    receiver_rules: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportedWebhook:
    """A webhook saved by an import, under the name it got."""

    id: int
    name: str
    requested_name: str
    """The name in the file; differs from `name` when that was taken."""


def definitions_to_json(
    definitions: Iterable[WebhookDefinition], *, with_secrets: bool = False
) -> str:
    """Return the definitions as the JSON file text, with a final new line."""
    items = []
    for definition in definitions:
        items.append(
            {
                "webhook": _webhook_data(definition.webhook, with_secrets),
                "receiver_rules": _rules_data(definition.receiver_rules, with_secrets),
            }
        )
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "webhooks": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rules_data(rules: list[dict[str, Any]], with_secrets: bool) -> list[dict]:
    """Return receiver rules for the file, their Basic passwords left out unless
    `with_secrets`."""
    if with_secrets:
        return rules
    from bchook_studio.core.store.secrets import split_rule_secrets

    return split_rule_secrets(rules)[0]


def _webhook_data(webhook: Webhook, with_secrets: bool) -> dict[str, Any]:
    if with_secrets:
        data = webhook_to_dict(webhook)
        for path, value in secret_field_values(webhook).items():
            _set_path(data, path.split("."), value)
        return data

    from bchook_studio.core.store.secrets import split_secrets

    stripped, _secrets = split_secrets(webhook)
    return webhook_to_dict(stripped)


def _set_path(data: dict[str, Any], names: list[str], value: str) -> None:
    for name in names[:-1]:
        data = data.setdefault(name, {})
    data[names[-1]] = value


def definitions_from_json(text: str) -> list[WebhookDefinition]:
    """Read a definitions file, or raise DefinitionsError naming the problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionsError(
            f"the file is not valid JSON: {exc.msg} at line {exc.lineno} column "
            f"{exc.colno}."
        ) from None
    except RecursionError:
        raise DefinitionsError(
            "the file nests JSON arrays or objects too deeply to read (Python's "
            "JSON reader stops at about 1,000 levels). A definitions file exported "
            "by Hook Studio nests a few levels."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise DefinitionsError(
            f'the file is not a webhook definitions file: it needs "format": '
            f'"{FORMAT_NAME}". Export definitions from Hook Studio to get one.'
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DefinitionsError(
            f"the definitions file has an invalid version {version!r}."
        )
    if version > FORMAT_VERSION:
        raise DefinitionsError(
            f"the definitions file has version {version}, newer than the "
            f"version {FORMAT_VERSION} this Hook Studio reads. Update Hook Studio."
        )
    items = document.get("webhooks")
    if not isinstance(items, list):
        raise DefinitionsError('the definitions file has no "webhooks" list.')

    return [_definition(item, index) for index, item in enumerate(items)]


def _definition(item: object, index: int) -> WebhookDefinition:
    where = f"webhooks[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("webhook"), dict):
        raise DefinitionsError(f'{where} has no "webhook" object.')
    try:
        webhook = webhook_from_dict(item["webhook"])
    except WebhookCodecError as exc:
        raise DefinitionsError(f"{where}: {exc}.") from None
    _check_name(webhook.name, where)
    _check_topic(webhook.topic_key, where)
    check_import_limits(webhook, where)

    rules = item.get("receiver_rules", [])
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise DefinitionsError(f'{where}: "receiver_rules" must be a list of objects.')
    _check_rules(rules, where)
    return WebhookDefinition(webhook, rules)


def _check_topic(topic_key: str, where: str) -> None:
    """Raise DefinitionsError for a topic key that names no topic.

    The window could not show the webhook's example event or default body.
    """
    from bchook_studio.core.topics import UnknownTopicError, find_topic

    try:
        find_topic(topic_key)
    except UnknownTopicError as exc:
        raise DefinitionsError(f"{where}: {exc}") from None


def send_warnings(definitions: Iterable[WebhookDefinition]) -> list[str]:
    """Return the warnings about the URLs and enabled headers of `definitions`.

    There is one per URL or header that Send Test would reject, and one per
    enabled header whose name repeats an earlier one. Such webhooks are still
    imported, because the window saves them too and an export must import
    again. Disabled header rows are never sent.
    """
    from bchook_studio.core.delivery.request import header_problems, repeated_headers
    from bchook_studio.core.delivery.urls import InvalidUrlError, check_url_characters

    warnings = []
    for index, definition in enumerate(definitions):
        webhook = definition.webhook
        where = f"webhooks[{index}] {webhook.name!r}"
        problems = []
        try:
            check_url_characters(webhook.url)
        except InvalidUrlError as exc:
            problems.append(str(exc))
        problems += header_problems(webhook.headers)
        for problem in problems:
            warnings.append(
                f"{where}: {problem.rstrip('.')}; Send Test rejects the webhook "
                "until this is fixed."
            )

        enabled = [row.name for row in webhook.headers if row.enabled]
        for index, earlier in repeated_headers(enabled):
            warnings.append(
                f"{where}: the custom headers {enabled[earlier]!r} and "
                f"{enabled[index]!r} have the same name, so both are sent and the "
                "server may read either one."
            )
    return warnings


def _check_rules(rules: list[dict[str, Any]], where: str) -> None:
    """Raise DefinitionsError for a receiver rule that the receiver would reject."""
    from bchook_studio.core.receiver.rules import ResponseRule

    for index, rule in enumerate(rules):
        try:
            ResponseRule.from_dict(rule)
        except ValueError as exc:
            raise DefinitionsError(
                f"{where}: receiver_rules[{index}]: {str(exc).rstrip('.')}."
            ) from None


def check_import_limits(webhook: Webhook, where: str) -> None:
    """Raise DefinitionsError for a body or redirect limit over the import's cap."""
    from bchook_studio.core.delivery.redirects import MAX_REDIRECT_LIMIT

    for name, text in (("body", webhook.body), ("event data", webhook.event_text)):
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_IMPORTED_BODY_BYTES:
            size_text, limit_text = format_sizes_apart(size, MAX_IMPORTED_BODY_BYTES)
            raise DefinitionsError(
                f"{where}: the {name} is {size_text}, over the {limit_text} a "
                "webhook body can be. Shorten it, or send a large file with "
                "bchook-studio send --body."
            )
    limit = webhook.redirects.max_redirects
    if limit > MAX_REDIRECT_LIMIT:
        raise DefinitionsError(
            f"{where}: the redirect limit {limit} is over {MAX_REDIRECT_LIMIT}. "
            "Use a smaller number; browsers stop at about 20."
        )


def _check_name(name: str, where: str) -> None:
    """Raise DefinitionsError for a name that the store would reject on save.

    An empty name is allowed because the import saves it as "Imported webhook".
    """
    from bchook_studio.core.store.errors import InvalidNameError
    from bchook_studio.core.store.webhooks import clean_name

    if not name.strip():
        return
    try:
        clean_name(name)
    except InvalidNameError as exc:
        raise DefinitionsError(f"{where}: {exc}") from None


def export_definitions(store: "Store", *, with_secrets: bool = False) -> str:
    """Return every saved webhook as definitions file text.

    Reads each webhook's secrets when `with_secrets` is true, which can block
    on the keychain.
    """
    definitions = []
    for summary in store.list_webhooks():
        saved = store.get_webhook(summary.id)
        definitions.append(WebhookDefinition(saved.webhook, saved.receiver_rules))
    return definitions_to_json(definitions, with_secrets=with_secrets)


def import_definitions(
    store: "Store", definitions: Iterable[WebhookDefinition]
) -> list[ImportedWebhook]:
    """Save each definition as a new webhook under a name no other one has.

    All or nothing: every name is checked before the first save, and when a
    save fails (a keychain that rejects a secret, a read-only database) the
    webhooks saved before it are deleted again and ImportSaveError is raised.
    Names are checked here too for callers that did not read the definitions
    with `definitions_from_json`.
    """
    definitions = list(definitions)
    for index, definition in enumerate(definitions):
        _check_name(definition.webhook.name, f"webhooks[{index}]")

    imported: list[ImportedWebhook] = []
    for index, definition in enumerate(definitions):
        try:
            imported.append(_save_new(store, definition))
        except StoreError as exc:
            _delete_saved(store, imported)
            raise ImportSaveError(
                f"webhooks[{index}] {definition.webhook.name!r} could not be "
                f"saved, so no webhook of the import was kept: {exc}"
            ) from exc
        except BaseException:
            _delete_saved(store, imported)
            raise
    return imported


def _save_new(store: "Store", definition: WebhookDefinition) -> ImportedWebhook:
    requested = definition.webhook.name.strip() or "Imported webhook"
    name = store.unique_name(requested)
    webhook_id = store.save_webhook(
        definition.webhook.with_changes(name=name),
        receiver_rules=definition.receiver_rules,
    )
    logger.info("imported webhook %d as %r", webhook_id, name)
    return ImportedWebhook(webhook_id, name, requested)


def _delete_saved(store: "Store", imported: list[ImportedWebhook]) -> None:
    """Delete the webhooks an import saved before it failed, logging what stays."""
    from bchook_studio.core.store.errors import StoreError

    for item in imported:
        try:
            store.delete(item.id)
        except StoreError:
            logger.exception(
                "could not delete webhook %d %r after the import failed, so it "
                "stays saved",
                item.id,
                item.name,
            )
        else:
            logger.info("deleted webhook %d %r: the import failed", item.id, item.name)
