"""Checks of what the package carries: its metadata, topic resources and keyring."""

import importlib
import sys
from importlib import metadata

from bchook_studio import DIST_NAME, __version__
from bchook_studio.core.resources import ResourcesNotFoundError, resources_root
from bchook_studio.core.selftest.cases import CheckFailed
from bchook_studio.core.topics import CatalogueError, load_catalogue

EXPECTED_TOPIC_COUNT = 24

_REINSTALL = "Reinstall BrainCert Hook Studio."

# The keyring backend for each OS, and the modules it needs to reach the
# keychain. keyring finds its backends through entry points in its package
# metadata, so the metadata must ship too.
_KEYRING_BACKENDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "linux": ("SecretService", ("secretstorage", "jeepney")),
    "darwin": ("macOS", ("keyring.backends.macOS.api",)),
    "win32": ("Windows", ("win32ctypes.pywin32.win32cred",)),
}


def check_package_metadata() -> str:
    """Check that the package metadata is present and names the running version."""
    try:
        version = metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        raise CheckFailed(
            f"the package metadata of {DIST_NAME} is missing, so the app reports "
            f"the version {__version__}. {_REINSTALL}"
        ) from None
    if version != __version__:
        raise CheckFailed(
            f"the package metadata names version {version} but the app runs as "
            f"{__version__}. {_REINSTALL}"
        )
    return f"{DIST_NAME} {version}"


def check_topics() -> str:
    """Load the topic catalogue from the resources and parse every example event."""
    try:
        root = resources_root()
        catalogue = load_catalogue()
    except (ResourcesNotFoundError, CatalogueError) as exc:
        raise CheckFailed(str(exc)) from None

    if len(catalogue) != EXPECTED_TOPIC_COUNT:
        raise CheckFailed(
            f"the topic catalogue in {root} lists {len(catalogue)} topics instead "
            f"of {EXPECTED_TOPIC_COUNT}. {_REINSTALL}"
        )

    problems = []
    for topic in catalogue:
        try:
            topic.example_event()
        except (CatalogueError, ValueError) as exc:
            problems.append(f"{topic.key}: {exc}")
    if problems:
        raise CheckFailed(
            f"{len(problems)} of {len(catalogue)} example events cannot be read: "
            + "; ".join(problems)
        )
    return f"{len(catalogue)} topics in {root}, every example event parses"


def _platform_key() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    return sys.platform


NO_KEYCHAIN_NOTE = (
    "no usable keychain: secrets are kept for the session or, if chosen, in the "
    "database"
)


def check_keyring_backend() -> str:
    """Check keyring's backend for this OS, and whether the store can use a keychain.

    The backend's modules must load: a copy that lacks them is broken. Whether
    a keychain is usable is decided by the store's own check
    (`keychain_usable`), so the detail names a backend only when the store
    would keep secrets in it. No usable keychain is a pass with a note,
    because many Linux servers have none and the app then keeps secrets for
    the session or, if the user chooses, in the database.
    """
    from bchook_studio.core.store.secrets import keychain_usable

    key = _platform_key()
    if key in _KEYRING_BACKENDS:
        _load_backend(*_KEYRING_BACKENDS[key])

    if not keychain_usable(refresh=True):
        return NO_KEYCHAIN_NOTE

    import keyring

    backend = keyring.get_keyring()
    inner = getattr(backend, "backends", None)
    names = [item.name for item in inner] if inner else [backend.name]
    return (
        f"keyring {metadata.version('keyring')}, secrets are kept in the "
        f"keychain through {', '.join(names)}"
    )


def _load_backend(backend: str, modules: tuple[str, ...]) -> None:
    """Import keyring's backend `backend` and `modules`, or raise CheckFailed."""
    entry_points = {
        entry_point.name: entry_point
        for entry_point in metadata.entry_points(group="keyring.backends")
    }
    if backend not in entry_points:
        raise CheckFailed(
            f"keyring's entry point for its {backend} backend is missing, so "
            f"secrets cannot reach the keychain. {_REINSTALL}"
        )
    try:
        entry_points[backend].load()
        for name in modules:
            importlib.import_module(name)
    except ImportError as exc:
        raise CheckFailed(
            f"keyring's {backend} backend cannot be loaded: {exc}. {_REINSTALL}"
        ) from None
