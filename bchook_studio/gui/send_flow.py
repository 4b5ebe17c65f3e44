"""Send Test and resends: render, check, resolve the target, send, record.

Each step is small and named: the designer renders the body, a body that is
not well formed is sent only after the user agrees, a built-in receiver target
becomes the receiver's address, the send controller sends, and the result is
recorded in the history with the webhook it belongs to.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from bchook_studio.core.logs import register_secret
from bchook_studio.core.templates import ProblemKind
from bchook_studio.core.webhook import (
    ReceiverNotRunningError,
    Webhook,
    resolve_url,
    targets_receiver,
)
from bchook_studio.gui.ask import ask
from bchook_studio.gui.designer import TemplateDesigner
from bchook_studio.gui.error_reporter import report_task_failure
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.receiver_controller import ReceiverController
from bchook_studio.gui.send_controller import SendController
from bchook_studio.gui.store_controller import StoreController

if TYPE_CHECKING:
    from bchook_studio.core.delivery.request import OutgoingRequest
    from bchook_studio.core.delivery.result import DeliveryResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryContext:
    """Which webhook a delivery belongs to, for its history record."""

    webhook_id: int | None
    webhook_name: str | None
    topic_key: str | None
    secret_query_parameters: tuple[str, ...] = ()
    secret_headers: tuple[str, ...] = ()


def empty_secrets(webhook: Webhook) -> list[str]:
    """Return the secrets Send Test would send empty: a Basic password, headers.

    The password counts when authentication is on with a user name, and a
    header when its row is enabled, marked secret and has a name.
    """
    empty = []
    if webhook.auth_enabled and webhook.username and not webhook.password:
        empty.append(QCoreApplication.translate("SendFlow", "the password"))
    for row in webhook.headers:
        if row.enabled and row.secret and row.name.strip() and not row.value:
            empty.append(
                fill(
                    QCoreApplication.translate("SendFlow", "the value of %1"),
                    row.name.strip(),
                )
            )
    return empty


class SendFlow(QObject):
    """Turns the open webhook into a delivery and records every result."""

    not_sent = Signal(str)
    """Why nothing was sent, in plain words."""

    sent_to_receiver = Signal()
    """A delivery to the built-in receiver started; its request will appear."""

    def __init__(
        self,
        window: QWidget,
        designer: TemplateDesigner,
        controller: SendController,
        receiver: ReceiverController,
        store: StoreController,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._designer = designer
        self._controller = controller
        self._receiver = receiver
        self._store = store
        self._task: asyncio.Future[None] | None = None
        self._empty_secrets_accepted: set[tuple[object, tuple[str, ...]]] = set()
        """Webhooks (id, or name when unsaved) whose empty secrets the user
        chose to send, so that the question comes once per session."""
        controller.delivered.connect(self._on_delivered)

    def send_webhook(self, webhook: Webhook, webhook_id: int | None) -> None:
        """Start Send Test for `webhook`; a newer call replaces one still rendering."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.ensure_future(self._send(webhook, webhook_id))
        self._task.add_done_callback(report_task_failure)

    def send_request(self, request: OutgoingRequest, context: DeliveryContext) -> None:
        """Send a request built elsewhere, such as a resend from the history."""
        self._start(request, context)

    async def _send(self, webhook: Webhook, webhook_id: int | None) -> None:
        result = await self._designer.render_for_send()
        if result.text is None:
            first = result.problems[0] if result.problems else None
            where = ""
            if first is not None and first.line is not None:
                if first.column is None:
                    where = fill(self.tr(" (line %1)"), first.line)
                else:
                    where = fill(
                        self.tr(" (line %1, column %2)"), first.line, first.column
                    )
            message = first.message if first else self.tr("unknown problem")
            self.not_sent.emit(
                fill(self.tr("The body could not be rendered%1: %2"), where, message)
            )
            return

        # A body over a parser limit may be well formed, so it is sent without
        # asking, as `bchook-studio send` sends it.
        malformed = [
            problem
            for problem in result.problems
            if problem.kind is ProblemKind.MALFORMED_BODY and problem.limit is None
        ]
        if malformed and not await self._confirm_malformed(webhook, malformed[0]):
            return
        empty = empty_secrets(webhook)
        accepted_key = (webhook_id or webhook.name, tuple(empty))
        if empty and accepted_key not in self._empty_secrets_accepted:
            if not await self._confirm_empty_secrets(empty):
                return
            self._empty_secrets_accepted.add(accepted_key)

        try:
            url = resolve_url(webhook.url, self._receiver.base_url)
        except ReceiverNotRunningError as exc:
            self.not_sent.emit(str(exc)[:1].upper() + str(exc)[1:])
            return

        for secret in (webhook.password, webhook.tls.client_cert_password):
            register_secret(secret)
        request = webhook.outgoing_request(result.text.encode("utf-8"), url=url)
        context = DeliveryContext(
            webhook_id=webhook_id,
            webhook_name=webhook.name,
            topic_key=webhook.topic_key,
            secret_query_parameters=webhook.secret_query_parameters,
            secret_headers=tuple(row.name for row in webhook.headers if row.secret),
        )
        if targets_receiver(webhook.url):
            self.sent_to_receiver.emit()
        self._start(request, context)

    async def _confirm_malformed(self, webhook: Webhook, problem) -> bool:
        answer = await ask(
            self._window,
            self.tr("Send a malformed body?"),
            # The message already states that the body is not well formed.
            fill(
                self.tr("%1 (at %2)."),
                problem.message[:1].upper() + problem.message[1:].rstrip("."),
                problem.location(),
            ),
            [
                (self.tr("Send anyway"), QMessageBox.ButtonRole.AcceptRole),
                (self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole),
            ],
            informative=fill(
                self.tr(
                    "The endpoint gets the body exactly as shown, with the "
                    "Content-Type %1."
                ),
                webhook.content_type,
            ),
            default=1,
        )
        return answer == 0

    async def _confirm_empty_secrets(self, empty: list[str]) -> bool:
        answer = await ask(
            self._window,
            self.tr("Send with empty secrets?"),
            fill(self.tr("These secrets are empty: %1."), ", ".join(empty)),
            [
                (self.tr("Send anyway"), QMessageBox.ButtonRole.AcceptRole),
                (self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole),
            ],
            informative=self.tr(
                "A saved secret that the keychain no longer has opens empty. "
                "Enter it in the form, or send to check how the endpoint answers "
                "without it."
            ),
            default=1,
        )
        return answer == 0

    def _start(self, request: OutgoingRequest, context: DeliveryContext) -> None:
        self._controller.send(request, context)

    def _on_delivered(self, result: DeliveryResult, context: object) -> None:
        if not isinstance(context, DeliveryContext):
            context = DeliveryContext(None, None, None)
        self._store.record_delivery(
            result,
            context.webhook_id,
            context.webhook_name,
            context.topic_key or "",
            secret_query_parameters=context.secret_query_parameters,
            secret_headers=context.secret_headers,
        )

    async def aclose(self) -> None:
        """Stop a Send Test that is still rendering."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
