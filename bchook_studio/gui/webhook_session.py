"""The webhook open in the window: which saved one it is, and whether it changed.

The session compares what the form and the designer show with the snapshot
taken when the webhook was opened or last saved, and it opens, creates and
saves webhooks through the store controller, asking before it discards edits.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from bchook_studio.core.bodies import default_body
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.receiver import ResponseRule
from bchook_studio.core.store import StoreError
from bchook_studio.core.topics import find_topic
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.core.webhook import DEFAULT_NAME, DEFAULT_TOPIC, Webhook
from bchook_studio.gui.ask import ask, inform
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.sentences import as_sentence
from bchook_studio.gui.store_controller import StoreController

logger = logging.getLogger(__name__)

_DIRTY_CHECK_MS = 150

Answer = int
SAVE, DISCARD, CANCEL = range(3)


@dataclass(frozen=True)
class OpenedWebhook:
    """A webhook as the session opened it, with the receiver rules saved with it."""

    webhook: Webhook
    webhook_id: int | None
    receiver_rules: tuple[ResponseRule, ...] | None


def new_webhook(topic_key: str = DEFAULT_TOPIC, body_format=BodyFormat.JSON) -> Webhook:
    """Return a webhook that sends a topic's example event to the built-in receiver."""
    try:
        topic = find_topic(topic_key)
    except LookupError:
        topic = find_topic(DEFAULT_TOPIC)
    return Webhook(
        topic_key=topic.key,
        body_format=body_format,
        body=default_body(topic, body_format),
    )


class WebhookSession(QObject):
    """Tracks the open webhook and saves it; `current` reads the widgets."""

    opened = Signal(object)
    """An OpenedWebhook: the window shows it in the form and the designer."""

    dirty_changed = Signal(bool)
    saved = Signal(int)

    def __init__(
        self,
        store: StoreController,
        current: Callable[[], Webhook],
        parent_widget: QWidget,
    ) -> None:
        super().__init__(parent_widget)
        self._store = store
        self._current = current
        self._window = parent_widget
        self._open_id: int | None = None
        self._detached_id: int | None = None
        """The id of the open webhook before it was deleted, for Undo delete."""
        self._snapshot: Webhook | None = None
        self._rules: tuple[ResponseRule, ...] | None = None
        self._rules_changed = False
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_DIRTY_CHECK_MS)
        self._timer.timeout.connect(self.check_dirty)

    @property
    def open_id(self) -> int | None:
        """The id of the saved webhook that is open, or None for an unsaved one."""
        return self._open_id

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def receiver_rules(self) -> tuple[ResponseRule, ...] | None:
        return self._rules

    def show(self, opened: OpenedWebhook) -> None:
        """Make `opened` the open webhook and emit `opened` so the window shows it."""
        # The webhook being left keeps no unsaved mark: its edits were saved or
        # discarded before this call.
        self._set_dirty(False)
        self._open_id = opened.webhook_id
        self._detached_id = None
        self._rules = opened.receiver_rules
        self._rules_changed = False
        self.opened.emit(opened)
        self._snapshot = self._current()
        self._set_dirty(False)

    def edited(self) -> None:
        """Note a user edit; the dirty check runs shortly after the last one."""
        self._timer.start()

    def set_receiver_rules(self, rules: tuple[ResponseRule, ...]) -> None:
        """Keep the Inbox's rules with the open webhook; they are saved with it."""
        self._rules = rules
        self._rules_changed = True
        self._set_dirty(True)

    def check_dirty(self) -> None:
        """Compare the widgets with the snapshot and update the dirty state."""
        self._timer.stop()
        if self._snapshot is None:
            return
        self._set_dirty(self._rules_changed or self._current() != self._snapshot)

    def renamed(self, webhook_id: int, name: str) -> str | None:
        """Record that the open webhook was renamed in the store.

        Returns the name the window had saved before, for it to compare with the
        form, or None when `webhook_id` is not the open webhook. Edits not yet
        saved stay unsaved.
        """
        if webhook_id != self._open_id or self._snapshot is None:
            return None
        previous = self._snapshot.name
        self._snapshot = self._snapshot.with_changes(name=name)
        return previous

    def forget(self, webhook_id: int) -> None:
        """Treat the open webhook as unsaved after it was deleted from the store."""
        if webhook_id == self._open_id:
            self._open_id = None
            self._detached_id = webhook_id
            self._set_dirty(True)

    def restored(self, webhook_id: int) -> bool:
        """Attach the open webhook again when Undo delete brought it back.

        Returns True when the open webhook is the one deleted and restored
        under `webhook_id`; it then counts as saved unless it was edited.
        """
        if self._open_id is not None or webhook_id != self._detached_id:
            return False
        self._open_id = webhook_id
        self._detached_id = None
        self._set_dirty(False)
        self.check_dirty()
        return True

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    # Opening, creating and saving.

    async def confirm_discard(self) -> bool:
        """Ask to save unsaved edits; return False when the user cancels."""
        self.check_dirty()
        if not self._dirty:
            return True
        name = self._current().name
        answer = await ask(
            self._window,
            self.tr("Unsaved changes"),
            fill(self.tr("Save the changes to “%1”?"), escaped_for_display(name)),
            [
                (self.tr("Save"), QMessageBox.ButtonRole.AcceptRole),
                (self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole),
                (self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole),
            ],
            informative=self.tr("Discarded changes cannot be brought back."),
            icon=QMessageBox.Icon.Warning,
        )
        if answer == SAVE:
            return await self.save()
        return answer == DISCARD

    async def open_saved(self, webhook_id: int) -> bool:
        """Open a saved webhook, after asking about unsaved edits."""
        if webhook_id == self._open_id:
            return True
        if not await self.confirm_discard():
            return False
        try:
            saved = await self._store.load(webhook_id)
        except StoreError as exc:
            inform(
                self._window,
                self.tr("Open webhook"),
                as_sentence(str(exc)),
                warning=True,
            )
            return False

        # Everything that can reject the saved data is read before the form
        # changes, so a failure leaves the open webhook as it was.
        try:
            find_topic(saved.webhook.topic_key)
            rules = tuple(ResponseRule.from_dict(rule) for rule in saved.receiver_rules)
        except ValueError as exc:
            logger.warning("webhook %d cannot be opened: %s", webhook_id, exc)
            inform(
                self._window,
                self.tr("Open webhook"),
                fill(
                    self.tr(
                        "“%1” cannot be opened: %2 Delete it, or correct it in an "
                        "exported definitions file and import it again."
                    ),
                    saved.webhook.name,
                    as_sentence(str(exc)),
                ),
                warning=True,
            )
            return False
        self.show(OpenedWebhook(saved.webhook, saved.id, rules or None))
        if saved.missing_secrets:
            from bchook_studio.core.store.secrets import describe_field

            missing = ", ".join(describe_field(name) for name in saved.missing_secrets)
            inform(
                self._window,
                self.tr("Missing secrets"),
                fill(
                    self.tr(
                        "These secrets of “%1” could not be read: %2. They were "
                        "kept for an earlier session only, or the keychain no "
                        "longer has them. Enter them again and save."
                    ),
                    saved.webhook.name,
                    missing,
                ),
                warning=True,
            )
        return True

    async def open_new(self, topic_key: str, body_format: BodyFormat) -> bool:
        """Open a new, unsaved webhook, after asking about unsaved edits."""
        if not await self.confirm_discard():
            return False
        self.show(OpenedWebhook(new_webhook(topic_key, body_format), None, None))
        return True

    async def save(self) -> bool:
        """Save the open webhook; return False and explain when it failed."""
        webhook = self._current()
        if self._open_id is None and webhook.name == DEFAULT_NAME:
            webhook = webhook.with_changes(
                name=await self._store.unique_name(DEFAULT_NAME)
            )
        rules = None
        if self._rules is not None:
            rules = [rule.to_dict() for rule in self._rules]

        try:
            webhook_id = await self._store.save(webhook, self._open_id, rules)
        except StoreError as exc:
            logger.info("saving webhook %r failed: %s", webhook.name, exc)
            inform(
                self._window,
                self.tr("Save webhook"),
                as_sentence(str(exc)),
                warning=True,
            )
            return False

        self._open_id = webhook_id
        self._rules_changed = False
        if webhook != self._current():
            self.opened.emit(OpenedWebhook(webhook, webhook_id, self._rules))
        self._snapshot = self._current()
        self._set_dirty(False)
        self.saved.emit(webhook_id)
        return True
