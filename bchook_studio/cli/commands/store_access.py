"""Opening the store from a sub-command, with its notices as warning lines."""

import sys

from bchook_studio.cli.output import EXIT_FAILED, PROG, UsageError, warning


def open_store():
    """Open the app home's store for the command line, or raise UsageError.

    Notices (a damaged file moved aside, read-only) become warning lines.
    """
    from bchook_studio.core.home import HomeFolderError
    from bchook_studio.core.store import Store, StoreOpenError

    try:
        store = Store.open(interactive=False)
    except (StoreOpenError, HomeFolderError) as exc:
        raise UsageError(str(exc)) from exc
    for notice in store.notices:
        warning(notice.message)
    return store


def command_failed(message: str) -> int:
    """Write `bchook-studio: error: message` to stderr and return exit status 1.

    For a command that was used correctly but could not finish (a read-only
    database, a file that cannot be imported).
    """
    text = " ".join(message.split())
    print(f"{PROG}: error: {text}", file=sys.stderr, flush=True)
    return EXIT_FAILED
