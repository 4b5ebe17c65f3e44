"""A history entry as a cURL or PowerShell command, a HAR file or a text report.

These functions read the store and the keychain, so the window runs them on the
store's worker thread through `StoreController.export_entry`; the CLI's
`export` calls them directly.
"""

from dataclasses import dataclass, replace
from enum import StrEnum

from bchook_studio.core.export.curl import (
    DEFAULT_BODY_FILE,
    BodyFile,
    curl_command,
)
from bchook_studio.core.export.har import har_text
from bchook_studio.core.export.masking import MASK
from bchook_studio.core.export.powershell import powershell_command
from bchook_studio.core.export.requests import (
    RequestRecord,
    from_history,
    from_outgoing,
)
from bchook_studio.core.export.text import ReportContext, text_report
from bchook_studio.core.store import HistoryEntry, Store, WebhookNotFoundError
from bchook_studio.core.store.resend import build_resend_request


class ExportKind(StrEnum):
    """The formats a delivery can be exported in, with the CLI's names as values."""

    CURL = "curl"
    POWERSHELL = "powershell"
    HAR = "har"
    TEXT = "text"

    @property
    def suffix(self) -> str:
        """The file name suffix for this format, with its dot."""
        return _SUFFIXES[self]


_SUFFIXES = {
    ExportKind.CURL: ".sh",
    ExportKind.POWERSHELL: ".ps1",
    ExportKind.HAR: ".har",
    ExportKind.TEXT: ".txt",
}


@dataclass(frozen=True)
class EntryExport:
    """One delivery rendered in one format, with any body file a command reads."""

    entry_id: int
    kind: ExportKind
    text: str
    files: tuple[BodyFile, ...] = ()

    @property
    def suggested_name(self) -> str:
        """A file name for the export, such as `delivery-12.sh`."""
        return f"delivery-{self.entry_id}{self.kind.suffix}"


def render_entry(
    store: Store,
    entry_id: int,
    kind: ExportKind,
    *,
    body_file: str | None = None,
    show_secrets: bool = False,
) -> EntryExport:
    """Return history entry `entry_id` rendered as `kind`.

    `body_file` is the name a command uses for a body that cannot be inline
    (binary, control characters, over 64 KiB). Raises
    HistoryEntryNotFoundError, or ResendError when `show_secrets` needs a
    secret that the webhook no longer has.
    """
    entry = store.history.get(entry_id)
    request = entry_request(store, entry, show_secrets=show_secrets)
    result = entry.to_result()

    if kind is ExportKind.HAR:
        comment = f"{entry.webhook_name or 'command line'} · {entry.topic_key}"
        return EntryExport(entry_id, kind, har_text(result, request, comment))
    if kind is ExportKind.TEXT:
        context = ReportContext(entry.webhook_name, entry.topic_key, entry.id)
        return EntryExport(entry_id, kind, text_report(result, request, context))

    writer = curl_command if kind is ExportKind.CURL else powershell_command
    command = writer(request, body_file=body_file or DEFAULT_BODY_FILE)
    return EntryExport(entry_id, kind, command.text, command.files)


def entry_request(
    store: Store, entry: HistoryEntry, *, show_secrets: bool = False
) -> RequestRecord:
    """Return the request of a history entry, masked unless `show_secrets`.

    With `show_secrets` the masked values come from the saved webhook that
    sent the delivery (read from the keychain, so this may block). Only the
    secret values differ between the two: the URL, the headers and the Basic
    credentials. Settings that the history does not record, such as the
    timeouts, are left out of both, although the saved webhook has them now.
    """
    masked = from_history(entry.request)
    if not show_secrets:
        return masked

    saved = None
    if entry.webhook_id is not None:
        try:
            saved = store.get_webhook(entry.webhook_id)
        except WebhookNotFoundError:
            saved = None
    rebuilt = build_resend_request(
        entry, saved, store.size_caps(), allow_truncated=True
    )
    record = from_outgoing(rebuilt, show_secrets=True)

    # The stored headers are the ones sent, Host and Content-Length included.
    # Only their masked values come from the rebuilt request.
    rebuilt_values = {name.lower(): value for name, value in record.headers}
    headers = []
    for name, value in entry.request.headers:
        if MASK in value and name.lower() in rebuilt_values:
            value = rebuilt_values[name.lower()]
        headers.append((name, value))
    return replace(
        masked, url=record.url, headers=tuple(headers), basic_auth=record.basic_auth
    )
