"""A delivery as the history records it: the result and what identifies it.

It has a module of its own so that the window's modules, which load at
start-up, can name it without importing the history, SQLite and the masking
code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bchook_studio.core.delivery.result import DeliveryResult


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery to record, with the names whose values the history masks."""

    result: DeliveryResult
    webhook_id: int | None
    webhook_name: str | None
    topic_key: str
    run_id: str | None = None
    secret_query_parameters: tuple[str, ...] = ()
    """The webhook's secret query names."""

    secret_headers: tuple[str, ...] = ()
    """Header names to mask besides those the request already marks."""
