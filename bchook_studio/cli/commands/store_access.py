"""Opening the store from a sub-command, with its notices as warning lines."""

from bchook_studio.cli.output import CommandFailedError, UsageError, warning


def open_store():
    """Open the app home's store for the command line.

    Raises UsageError for an app home folder that cannot be used, and
    CommandFailedError for a database that cannot be opened or created.
    Notices (a damaged file moved aside, read-only) become warning lines.
    """
    from bchook_studio.core.home import HomeFolderError
    from bchook_studio.core.store import Store, StoreOpenError

    try:
        store = Store.open(interactive=False)
    except HomeFolderError as exc:
        raise UsageError(str(exc)) from exc
    except StoreOpenError as exc:
        raise CommandFailedError(str(exc)) from exc
    for notice in store.notices:
        warning(notice.message)
    return store
