"""Record a delivery from the command line without letting the store stop it.

The delivery has already happened, so a history that cannot be written is
worth one warning line, not a failed command. That covers a read-only, locked
or damaged database and a home folder that cannot be created.
"""

import logging
from collections.abc import Iterable
from pathlib import Path

from bchook_studio.core.delivery.result import DeliveryResult

logger = logging.getLogger(__name__)

CLI_LOCK_WAIT = 2.0
"""Seconds the command line waits for a locked database before giving up."""


def record_delivery_quietly(
    result: DeliveryResult,
    *,
    webhook_name: str | None,
    topic_key: str,
    webhook_id: int | None = None,
    run_id: str | None = None,
    secret_query_parameters: Iterable[str] = (),
    secret_headers: Iterable[str] = (),
    path: Path | None = None,
) -> str | None:
    """Record `result` in the history of the app home's database.

    Returns None when it was recorded, or a one-sentence message saying why
    not, which the caller prints as a warning. Prints nothing itself. A
    damaged database is left in place for the app to move aside.
    """
    from bchook_studio.core.home import HomeFolderError
    from bchook_studio.core.store.errors import StoreError
    from bchook_studio.core.store.store import Store

    try:
        with Store.open(
            path, lock_wait=CLI_LOCK_WAIT, repair=False, interactive=False
        ) as store:
            store.history.record(
                result,
                webhook_id,
                webhook_name,
                topic_key,
                run_id,
                secret_query_parameters=secret_query_parameters,
                secret_headers=secret_headers,
            )
    except (StoreError, HomeFolderError, OSError) as exc:
        logger.warning("delivery not recorded in the history: %s", exc)
        return f"the delivery was not recorded in the history: {exc}"
    return None
