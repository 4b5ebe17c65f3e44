"""Import webhooks from a file: JSON definitions or a cURL command.

The two are distinguished by content: a JSON object is a definitions file, text
whose first command word is `curl` is a cURL command.
"""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bchook_studio.core.export.curl_import import (
    CurlImportError,
    parse_curl_command,
    strip_prompt_and_comments,
)
from bchook_studio.core.export.definitions import (
    DefinitionsError,
    ImportedWebhook,
    WebhookDefinition,
    check_import_limits,
    definitions_from_json,
    import_definitions,
    send_warnings,
)
from bchook_studio.core.files import UnsuitableFileError, read_regular_file
from bchook_studio.core.store.secrets import split_secrets

if TYPE_CHECKING:
    from bchook_studio.core.store.store import Store


MAX_IMPORT_FILE_BYTES = 256 * 1024 * 1024
"""The largest import file read, 256 MiB."""


class ImportKind(StrEnum):
    """The kind of content in an import file."""

    DEFINITIONS = "definitions"
    CURL = "curl"


class ImportFileError(ValueError):
    """A file that contains neither definitions nor a cURL command, or a bad one."""


@dataclass(frozen=True)
class ImportReport:
    """The result of an import: the webhooks saved and warnings for the user."""

    kind: ImportKind
    imported: tuple[ImportedWebhook, ...]
    warnings: tuple[str, ...] = ()


def detect_import_kind(text: str) -> ImportKind:
    """Return the kind of content in `text`, or raise ImportFileError."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return ImportKind.DEFINITIONS
    command = strip_prompt_and_comments(stripped)
    first_word = command.split(None, 1)[0] if command.split() else ""
    if Path(first_word.strip("'\"")).name.lower() in {"curl", "curl.exe"}:
        return ImportKind.CURL
    raise ImportFileError(
        "the file contains neither webhook definitions (a JSON object) nor a cURL "
        "command (text starting with 'curl')."
    )


def import_text(store: "Store", text: str, base_folder: Path) -> ImportReport:
    """Save the webhooks that `text` defines and report them.

    `base_folder` resolves `@FILE` bodies of a cURL command. Raises
    ImportFileError for text that cannot be read; store errors pass through.
    May block on the keychain when a webhook has secrets.
    """
    kind = detect_import_kind(text)
    warnings: list[str] = []
    try:
        if kind is ImportKind.DEFINITIONS:
            definitions = definitions_from_json(text.lstrip("\ufeff"))
        else:
            parsed = parse_curl_command(text, base_folder)
            check_import_limits(parsed.webhook, "the cURL command")
            definitions = [WebhookDefinition(parsed.webhook)]
            warnings += parsed.warnings
    except (DefinitionsError, CurlImportError) as exc:
        raise ImportFileError(str(exc)) from exc
    warnings += send_warnings(definitions)

    has_secrets = any(
        split_secrets(definition.webhook)[1] for definition in definitions
    )
    try:
        imported = import_definitions(store, definitions)
    except DefinitionsError as exc:
        raise ImportFileError(str(exc)) from exc
    if has_secrets and not store.secrets.keychain_available:
        warnings.append(
            "no usable keychain was found, so the imported passwords and secret "
            f"values are kept in {_fallback_words(store)}."
        )
    return ImportReport(kind, tuple(imported), tuple(warnings))


def import_file(store: "Store", path: Path) -> ImportReport:
    """Read `path` as UTF-8 and import it; `@FILE` bodies are beside it."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_IMPORT_FILE_BYTES, "import file")
    except UnsuitableFileError as exc:
        raise ImportFileError(str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file {path} is not UTF-8 text (invalid byte at offset "
            f"{exc.start}). Save it as UTF-8 and import again."
        ) from None
    return import_text(store, text, path.parent)


def _fallback_words(store: "Store") -> str:
    from bchook_studio.core.store.secrets import SecretStorePolicy

    if store.secrets.policy is SecretStorePolicy.DATABASE:
        return "the database file, unencrypted"
    if not store.secrets.interactive:
        return "memory for this command only and were not saved"
    return "memory for this session only; enter them again next time"
