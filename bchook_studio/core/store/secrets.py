"""Secrets of saved webhooks: the OS keychain through `keyring`, or a fallback.

A webhook's secrets are its password fields, such as the Basic password and
the client certificate's password, and the values of custom headers marked
secret. Its URL is a secret when it contains a user-info password or secret
query values, and so is its proxy URL when it contains a password. The webhook
row never contains them. The
`secrets` table records where each one lives (`keychain`, `session` or
`database`), and contains the value only for `database`.

Without a usable keychain the user chooses once between keeping secrets for
this session only and storing them in the database (`choose`). Until then, and
always for the command line, new secrets are kept for the session only.
Keychain calls can block (a locked keychain may show a system prompt), so GUI
callers run store methods that touch secrets on a worker thread.
"""

import logging
import sys
from dataclasses import replace
from enum import StrEnum

from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.logs import register_secret
from bchook_studio.core.store.connection import StoreConnection
from bchook_studio.core.store.errors import SecretStorageError
from bchook_studio.core.store.keychain_check import usable_in_child
from bchook_studio.core.store.settings import (
    DATABASE_UID,
    SECRET_STORAGE,
    read_setting,
    write_setting,
)
from bchook_studio.core.webhook import Webhook
from bchook_studio.core.webhook_codec import (
    secret_field_values,
    with_secret_field_values,
)

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "BrainCert Hook Studio"
PASSWORD_FIELD = "password"
URL_FIELD = "url"
PROXY_URL_FIELD = "proxy.url"
HEADER_FIELD_PREFIX = "header:"
RULE_PASSWORD_PREFIX = "rule-password:"
"""Secret field of the required Basic password of receiver rule N."""


class SecretStorePolicy(StrEnum):
    """The storage for new secrets."""

    KEYCHAIN = "keychain"
    SESSION_ONLY = "session"
    """In memory until the app quits; the user enters them again next time."""

    DATABASE = "database"
    """In the database file, unencrypted, because no keychain is available."""


StaleSecrets = list[tuple[int, str, SecretStorePolicy]]
"""Secret values to delete after a commit: (webhook id, field, location)."""

_backend_usable: bool | None = None


def keychain_usable(refresh: bool = False, *, in_child: bool = False) -> bool:
    """True when `keyring` has a backend that stores secrets.

    The fail and null backends, and a chainer with no backends, store nothing.
    The result is cached, and `refresh=True` checks again. With `in_child`, a
    check while keyring is not imported yet runs in a child process, which
    keeps keyring out of this one (see keychain_check).
    """
    global _backend_usable
    if _backend_usable is None or refresh:
        usable = None
        if in_child and "keyring" not in sys.modules:
            usable = usable_in_child()
        if usable is None:
            usable = detect_backend()
        else:
            logger.info(
                "keyring backend is %s (checked in a child process)",
                "usable" if usable else "not usable",
            )
        _backend_usable = usable
    return _backend_usable


def detect_backend() -> bool:
    """Return whether the backend keyring picks stores secrets; imports keyring."""
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        usable = False
    elif isinstance(backend, chainer.ChainerBackend):
        usable = bool(backend.backends)
    else:
        usable = True
    logger.info(
        "keyring backend %s is %s",
        type(backend).__name__,
        "usable" if usable else "not usable",
    )
    return usable


def split_secrets(webhook: Webhook) -> tuple[Webhook, dict[str, str]]:
    """Return the webhook without its secrets, and the secrets by field name.

    Password fields are named by their dotted path ("password",
    "tls.client_cert_password"), header values "header:N" by row index, and
    the URLs "url" and "proxy.url". A URL with secrets stays in the webhook
    with those parts masked.
    """
    secrets = secret_field_values(webhook)
    webhook = with_secret_field_values(webhook, dict.fromkeys(secrets, ""))

    rows = []
    for index, row in enumerate(webhook.headers):
        if row.secret and row.value:
            secrets[f"{HEADER_FIELD_PREFIX}{index}"] = row.value
            row = replace(row, value="")
        rows.append(row)

    url = webhook.url
    masked = mask_url(url, webhook.secret_query_parameters)
    if masked != url:
        secrets[URL_FIELD] = url
        url = masked

    proxy = webhook.proxy
    masked_proxy = mask_url(proxy.url)
    if masked_proxy != proxy.url:
        secrets[PROXY_URL_FIELD] = proxy.url
        proxy = replace(proxy, url=masked_proxy)

    stripped = webhook.with_changes(headers=tuple(rows), url=url, proxy=proxy)
    return stripped, secrets


def split_rule_secrets(
    rules: list[dict],
) -> tuple[list[dict], dict[str, str]]:
    """Return receiver rules without their Basic passwords, and the passwords."""
    cleaned = []
    secrets = {}
    for index, rule in enumerate(rules):
        credentials = rule.get("credentials")
        if isinstance(credentials, dict) and credentials.get("password"):
            secrets[f"{RULE_PASSWORD_PREFIX}{index}"] = credentials["password"]
            rule = {**rule, "credentials": {**credentials, "password": ""}}
        cleaned.append(rule)
    return cleaned, secrets


def merge_rule_secrets(rules: list[dict], secrets: dict[str, str]) -> list[dict]:
    """Return receiver rules with the passwords from `split_rule_secrets` put back."""
    merged = []
    for index, rule in enumerate(rules):
        password = secrets.get(f"{RULE_PASSWORD_PREFIX}{index}")
        credentials = rule.get("credentials")
        if password is not None and isinstance(credentials, dict):
            rule = {**rule, "credentials": {**credentials, "password": password}}
        merged.append(rule)
    return merged


def rule_secrets(secrets: dict[str, str]) -> dict[str, str]:
    """Return the receiver rule passwords among a webhook's secrets."""
    return {k: v for k, v in secrets.items() if k.startswith(RULE_PASSWORD_PREFIX)}


def merge_secrets(webhook: Webhook, secrets: dict[str, str]) -> Webhook:
    """Return the webhook with the secrets from `split_secrets` put back."""
    rows = list(webhook.headers)
    fields: dict[str, str] = {}
    for field, value in secrets.items():
        if field.startswith(RULE_PASSWORD_PREFIX):
            continue
        if field.startswith(HEADER_FIELD_PREFIX):
            index = int(field[len(HEADER_FIELD_PREFIX) :])
            if 0 <= index < len(rows):
                rows[index] = replace(rows[index], value=value)
        elif field not in (URL_FIELD, PROXY_URL_FIELD):
            fields[field] = value

    webhook = with_secret_field_values(webhook, fields)
    proxy = webhook.proxy
    if PROXY_URL_FIELD in secrets:
        proxy = replace(proxy, url=secrets[PROXY_URL_FIELD])
    return webhook.with_changes(
        url=secrets.get(URL_FIELD, webhook.url), headers=tuple(rows), proxy=proxy
    )


class SecretStore:
    """The storage of a store's secrets, with their reads and writes.

    Obtain it as `Store.secrets`. The properties and `choose` are for the
    app; `read`, `locations`, `replace_all` and `all_values` run inside a
    transaction that the Store opened.
    """

    def __init__(self, database: StoreConnection, interactive: bool) -> None:
        self._database = database
        self._connection = database.connection
        self._interactive = interactive
        self._session: dict[tuple[int, str], str] = {}
        self._database_uid: str | None = None

    @property
    def interactive(self) -> bool:
        """False for the command line, which never prompts the user."""
        return self._interactive

    @property
    def keychain_available(self) -> bool:
        """True when the OS keychain can store secrets."""
        return keychain_usable()

    @property
    def chosen_fallback(self) -> SecretStorePolicy | None:
        """The user's choice for when no keychain exists, or None before choosing."""
        with self._database.reading() as connection:
            value = read_setting(connection, SECRET_STORAGE)
        try:
            return SecretStorePolicy(value) if value else None
        except ValueError:
            logger.warning("ignoring the unknown secret storage setting %r", value)
            return None

    @property
    def needs_choice(self) -> bool:
        """True when the GUI should ask where secrets go: no keychain, no choice."""
        return (
            self._interactive
            and not self.keychain_available
            and self.chosen_fallback is None
        )

    @property
    def policy(self) -> SecretStorePolicy:
        """The storage that a secret saved now goes to."""
        if self.keychain_available:
            return SecretStorePolicy.KEYCHAIN
        if self._interactive and self.chosen_fallback is SecretStorePolicy.DATABASE:
            return SecretStorePolicy.DATABASE
        return SecretStorePolicy.SESSION_ONLY

    def choose(self, policy: SecretStorePolicy) -> None:
        """Record the user's choice for when no keychain exists.

        Only SESSION_ONLY and DATABASE can be chosen; secrets saved earlier
        stay where they are until their webhook is saved again.
        """
        if policy is SecretStorePolicy.KEYCHAIN:
            raise ValueError(
                "the keychain is used whenever it is available; choose "
                "SESSION_ONLY or DATABASE for when it is not"
            )
        with self._database.writing() as connection:
            write_setting(connection, SECRET_STORAGE, policy.value)

    def locations(self, webhook_id: int) -> dict[str, SecretStorePolicy]:
        """Return where each secret of a webhook lives, by field name."""
        rows = self._connection.execute(
            "SELECT field, location FROM secrets WHERE webhook_id = ?", (webhook_id,)
        ).fetchall()
        return {field: SecretStorePolicy(location) for field, location in rows}

    def read(self, webhook_id: int) -> tuple[dict[str, str], tuple[str, ...]]:
        """Return a webhook's secrets and the fields whose values are gone.

        A value is gone when it was kept for an earlier session only, or when
        the keychain no longer has it or cannot be reached.
        """
        rows = self._connection.execute(
            "SELECT field, location, value FROM secrets WHERE webhook_id = ?",
            (webhook_id,),
        ).fetchall()
        values: dict[str, str] = {}
        missing: list[str] = []
        for field, location, stored in rows:
            value = self._read_one(
                webhook_id, field, SecretStorePolicy(location), stored
            )
            if value is None:
                missing.append(field)
            else:
                register_secret(value)
                values[field] = value
        return values, tuple(sorted(missing))

    def _read_one(
        self,
        webhook_id: int,
        field: str,
        location: SecretStorePolicy,
        stored: str | None,
    ) -> str | None:
        if location is SecretStorePolicy.DATABASE:
            return stored
        if location is SecretStorePolicy.SESSION_ONLY:
            return self._session.get((webhook_id, field))
        if not self.keychain_available:
            logger.warning(
                "secret %s of webhook %d is in a keychain that is not available",
                field,
                webhook_id,
            )
            return None

        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, self._key(webhook_id, field))
        except KeyringError as exc:
            logger.warning(
                "cannot read secret %s of webhook %d from the keychain: %s",
                field,
                webhook_id,
                exc,
            )
            return None

    def replace_all(self, webhook_id: int, secrets: dict[str, str]) -> StaleSecrets:
        """Store `secrets` as the webhook's only secrets, in the caller's transaction.

        Returns the old values to delete with `forget` once the transaction has
        committed, so a rollback never leaves a row pointing at a deleted
        keychain entry. Raises SecretStorageError when the keychain rejects a
        write, so that the caller rolls back.
        """
        previous = self.locations(webhook_id)
        stale: StaleSecrets = []
        # Asking for the policy imports keyring, so webhooks without secrets skip it.
        policy = self.policy if secrets else SecretStorePolicy.SESSION_ONLY
        for field, value in secrets.items():
            register_secret(value)
            self._write_one(webhook_id, field, value, policy)
            if previous.get(field) not in (None, policy):
                stale.append((webhook_id, field, previous[field]))

        for field, location in previous.items():
            if field not in secrets:
                stale.append((webhook_id, field, location))
                self._connection.execute(
                    "DELETE FROM secrets WHERE webhook_id = ? AND field = ?",
                    (webhook_id, field),
                )
        return stale

    def _write_one(
        self, webhook_id: int, field: str, value: str, policy: SecretStorePolicy
    ) -> None:
        if policy is SecretStorePolicy.KEYCHAIN:
            import keyring
            from keyring.errors import KeyringError

            try:
                keyring.set_password(
                    KEYRING_SERVICE, self._key(webhook_id, field), value
                )
            except KeyringError as exc:
                raise SecretStorageError(
                    f"the keychain rejected the {describe_field(field)} of the "
                    f"webhook: {exc}. Unlock the keychain and save again."
                ) from exc
        elif policy is SecretStorePolicy.SESSION_ONLY:
            self._session[(webhook_id, field)] = value

        stored = value if policy is SecretStorePolicy.DATABASE else None
        self._connection.execute(
            "INSERT INTO secrets (webhook_id, field, location, value) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (webhook_id, field) DO UPDATE SET "
            "location = excluded.location, value = excluded.value",
            (webhook_id, field, policy.value, stored),
        )

    def all_values(self, webhook_id: int) -> StaleSecrets:
        """Return every secret of a webhook in the form `forget` takes."""
        return [
            (webhook_id, field, location)
            for field, location in self.locations(webhook_id).items()
        ]

    def forget(self, stale: StaleSecrets) -> None:
        """Delete secret values from the keychain and the session.

        Called after the transaction that removed their rows has committed.
        A keychain that fails to delete is logged, not raised.
        """
        with self._database.lock:
            for webhook_id, field, location in stale:
                self._forget_value(webhook_id, field, location)

    def _forget_value(
        self, webhook_id: int, field: str, location: SecretStorePolicy
    ) -> None:
        if location is SecretStorePolicy.SESSION_ONLY:
            self._session.pop((webhook_id, field), None)
            return
        if location is not SecretStorePolicy.KEYCHAIN or not self.keychain_available:
            return

        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, self._key(webhook_id, field))
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            logger.warning(
                "cannot delete secret %s of webhook %d from the keychain: %s",
                field,
                webhook_id,
                exc,
            )

    def _key(self, webhook_id: int, field: str) -> str:
        if self._database_uid is None:
            uid = read_setting(self._connection, DATABASE_UID)
            self._database_uid = str(uid) if uid else "default"
        return f"{self._database_uid}/webhook/{webhook_id}/{field}"


def describe_field(field: str) -> str:
    """Return a secret field name as people read it: "password", "URL"..."""
    if field == PASSWORD_FIELD:
        return "password"
    if field == URL_FIELD:
        return "URL (it contains a password or secret query values)"
    if field == PROXY_URL_FIELD:
        return "proxy URL (it contains a password)"
    if field.startswith(HEADER_FIELD_PREFIX):
        return f"secret header in row {int(field[len(HEADER_FIELD_PREFIX) :]) + 1}"
    if field.startswith(RULE_PASSWORD_PREFIX):
        number = int(field[len(RULE_PASSWORD_PREFIX) :]) + 1
        return f"password required by receiver rule {number}"
    return field.replace(".", " ").replace("_", " ")
