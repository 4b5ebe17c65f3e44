"""Whether keyring can store secrets here, found out by a short-lived child process.

Letting keyring choose its backend imports every backend module, and on Linux
secretstorage, jeepney and cryptography with them: about 18 MiB and 100 to
200 ms on a 2-core x86-64 VM with Python 3.11 and keyring 25.7. The app
checks at start-up, so that it can offer a choice when there is no keychain,
but needs keyring itself only once a secret is read or written. A child process
reports the start-up result and takes that memory with it when it exits.

The child is the app itself, run with CHECK_ARGUMENT: `python -m bchook_studio`
from a source or wheel install, the executable itself when frozen.
"""

import logging
import subprocess
import sys

logger = logging.getLogger(__name__)

CHECK_ARGUMENT = "--internal-keychain-check"
"""The only argument of a run that performs the check instead of starting the app."""

CHECK_TIMEOUT_SECONDS = 15.0

_USABLE = "usable"
_NOT_USABLE = "not usable"


def usable_in_child() -> bool | None:
    """Return whether keyring has a usable backend, as a child process finds.

    Returns None when the child failed or timed out, so that the caller checks
    in this process instead.
    """
    options = {}
    if sys.platform == "win32":
        # A console interpreter started from the windowed app would flash a
        # console window.
        options["creationflags"] = subprocess.CREATE_NO_WINDOW
    try:
        completed = subprocess.run(
            _check_command(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            check=False,
            **options,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("the keychain check in a child process failed: %s", exc)
        return None

    output = completed.stdout.strip()
    if completed.returncode != 0 or output not in (_USABLE, _NOT_USABLE):
        logger.warning(
            "the keychain check in a child process failed with status %d: %s",
            completed.returncode,
            completed.stderr.strip()[-500:] or output,
        )
        return None
    return output == _USABLE


def run_check() -> int:
    """Print whether keyring has a usable backend; the child's side of the check."""
    from bchook_studio.core.store.secrets import detect_backend

    print(_USABLE if detect_backend() else _NOT_USABLE)
    return 0


def _check_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, CHECK_ARGUMENT]
    return [sys.executable, "-m", "bchook_studio", CHECK_ARGUMENT]
