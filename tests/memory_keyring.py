"""Keyring backends for tests: one that keeps secrets in memory, one that fails.

Point keyring at them with `keyring.set_keyring(MemoryKeyring())` (the
`memory_keyring` fixture in tests/store_fixtures.py does it and undoes it), or
with PYTHON_KEYRING_BACKEND=tests.memory_keyring.MemoryKeyring in a child
process started from the repository root.
"""

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keychain held in a dict, keyed by (service, username)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no secret for {username!r}")


class LockedKeyring(MemoryKeyring):
    """A keychain that rejects every write, as a locked one does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the test keychain is locked")
