"""Rebuild a request from a history entry so that it can be sent again.

The entry contains the request with its secrets masked. Each masked value is
filled from the saved webhook that sent it, whose secrets come from the
keychain, so a resend fails with a clear message when that webhook or one of
its secrets is gone.
"""

from dataclasses import dataclass

from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps
from bchook_studio.core.delivery.proxies import ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import (
    DEFAULT_USER_AGENT,
    BasicAuth,
    OutgoingRequest,
    Timeouts,
)
from bchook_studio.core.delivery.result import header_value
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.export.masking import MASK, basic_credentials, mask_url
from bchook_studio.core.store.history import HistoryEntry
from bchook_studio.core.store.webhooks import SavedWebhook
from bchook_studio.core.webhook import Webhook

# Headers the delivery code sets itself; the rebuilt request gets them from
# its own fields (URL, body, content type, user agent, credentials).
_BUILT_IN_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "content-type",
        "user-agent",
        "authorization",
    }
)


class ResendError(ValueError):
    """A history entry that cannot be sent again, with the reason and what to do."""


@dataclass(frozen=True)
class _Context:
    entry: HistoryEntry
    webhook: Webhook | None
    webhook_label: str


def build_resend_request(
    entry: HistoryEntry,
    saved: SavedWebhook | None,
    caps: SizeCaps = DEFAULT_CAPS,
    *,
    allow_truncated: bool = False,
) -> OutgoingRequest:
    """Return the request of `entry` with its masked values filled in, or raise.

    `saved` is the webhook with id `entry.webhook_id` as `Store.get_webhook`
    returns it, or None when it was deleted. Timeouts, proxy, TLS and redirect
    settings come from that webhook, or are the defaults without one. Raises
    ResendError when the request never reached the wire, when a masked value
    has no source, or when the body was cut at the history cap (unless
    `allow_truncated`, for exports that show the stored part).
    """
    if not entry.request.sent:
        raise ResendError(
            f"delivery {entry.id} never reached the wire "
            f"({entry.failure_message or 'no request was sent'}), so there is "
            "nothing to send again. Fix the webhook and send it from the editor."
        )
    if entry.request.body_truncated and not allow_truncated:
        raise ResendError(
            f"the body of delivery {entry.id} was stored only up to the history "
            f"cap ({len(entry.request.body)} of {entry.request.body_size} bytes). "
            "Send the webhook from the editor instead, or raise the history cap."
        )

    label = f"'{entry.webhook_name}'" if entry.webhook_name else "that sent it"
    context = _Context(entry, None if saved is None else saved.webhook, label)
    headers = entry.request.headers
    webhook = context.webhook
    content_type = header_value(headers, "content-type")
    if content_type is None:
        content_type = "application/json" if webhook is None else webhook.content_type
    return OutgoingRequest(
        url=_unmasked_url(context),
        body=entry.request.body,
        content_type=content_type,
        auth=_basic_auth(context),
        headers=_custom_headers(context),
        user_agent=header_value(headers, "user-agent") or DEFAULT_USER_AGENT,
        timeouts=Timeouts() if webhook is None else webhook.timeouts,
        caps=caps,
        secret_headers=_secret_header_names(context),
        proxy=ProxySetting() if webhook is None else webhook.proxy,
        tls=TlsSetting() if webhook is None else webhook.tls,
        redirects=RedirectSetting() if webhook is None else webhook.redirects,
        method=entry.request.method,
    )


def _missing(context: _Context, secret: str) -> ResendError:
    if context.entry.webhook_id is None:
        return ResendError(
            f"delivery {context.entry.id} needs the {secret}, which was masked in "
            "the history, and it was not sent from a saved webhook (it came from "
            "the command line or from a webhook never saved), so no copy of the "
            "secret was kept. Send it again from the editor or the command line "
            "with the secret."
        )
    if context.webhook is None:
        return ResendError(
            f"delivery {context.entry.id} needs the {secret}, which was masked in "
            f"the history, but the webhook {context.webhook_label} was deleted. "
            "Send the webhook from the editor instead."
        )
    return ResendError(
        f"delivery {context.entry.id} needs the {secret}, which was masked in the "
        f"history, but the webhook {context.webhook_label} no longer has it. "
        "Enter it in the webhook and send from the editor."
    )


def _unmasked_url(context: _Context) -> str:
    url = context.entry.request.url
    if MASK not in url:
        return url
    webhook = context.webhook
    if webhook is None or MASK in webhook.url:
        raise _missing(context, "password or secret query values of the URL")

    # The entry's URL is the webhook's URL with the same secrets masked, unless
    # the webhook has changed since, and then its secrets may belong elsewhere.
    current = webhook.url
    if mask_url(current, webhook.secret_query_parameters) == url:
        return current
    raise ResendError(
        f"delivery {context.entry.id} went to a URL with masked secrets, and the "
        f"webhook {context.webhook_label} now has a different URL, so the secrets "
        "cannot be filled in. Send the webhook from the editor instead."
    )


def _basic_auth(context: _Context) -> BasicAuth | None:
    value = header_value(context.entry.request.headers, "authorization")
    if value is None or context.entry.request.basic_username is None:
        return None
    if MASK not in value:
        credentials = basic_credentials(value)
        return None if credentials is None else BasicAuth(*credentials)
    webhook = context.webhook
    if webhook is None or not webhook.auth_enabled or not webhook.password:
        raise _missing(context, "Basic password")
    return BasicAuth(context.entry.request.basic_username, webhook.password)


def _custom_headers(context: _Context) -> tuple[tuple[str, str], ...]:
    headers = []
    basic = context.entry.request.basic_username is not None
    for name, value in context.entry.request.headers:
        lower = name.lower()
        if lower in _BUILT_IN_HEADERS and not (lower == "authorization" and not basic):
            continue
        if MASK in value:
            value = _secret_header_value(context, name)
        headers.append((name, value))
    return tuple(headers)


def _secret_header_value(context: _Context, name: str) -> str:
    webhook = context.webhook
    if webhook is not None:
        for row in webhook.headers:
            same_name = row.name.strip().lower() == name.lower()
            if row.enabled and same_name and row.value and MASK not in row.value:
                return row.value.strip()
    raise _missing(context, f"value of the header {name!r}")


def _secret_header_names(context: _Context) -> frozenset[str]:
    if context.webhook is None:
        return frozenset()
    return frozenset(
        row.name.strip().lower() for row in context.webhook.headers if row.secret
    )
