"""The `studio` helpers a template can call: time, identifiers and unescaped text.

Times are those of the render's start, so every call in one body agrees. With a
fixed `now` and `seed`, a render is reproducible: `studio.uuid()` then draws
from a `random.Random` seeded with `seed`, which gives the same sequence of
version 4 UUIDs on every run.
"""

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from markupsafe import Markup

from bchook_studio.core.templates.time_text import format_iso


class StudioHelpers:
    """The object templates see as `studio`.

    Attributes starting with an underscore are out of a template's reach, as
    the sandbox rejects them.
    """

    def __init__(
        self,
        now: datetime,
        seed: int | None,
        raw: Callable[[object], Markup],
    ) -> None:
        self._now = now if now.tzinfo else now.replace(tzinfo=UTC)
        self._random = random.Random(seed) if seed is not None else None
        self._raw = raw

    def now_iso(self) -> str:
        """Return the render time as `2023-11-30T16:51:00.000Z`."""
        return format_iso(self._now)

    def now_unix(self) -> int:
        """Return the render time in whole seconds since 1970-01-01 UTC."""
        return int(self._now.timestamp())

    def uuid(self) -> str:
        """Return a new random version 4 UUID, drawn from the seed when one is set."""
        if self._random is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def raw(self, value: object) -> Markup:
        """Return a value as text that is inserted without escaping."""
        return self._raw(value)

    def __repr__(self) -> str:
        return "<studio helpers: now_iso(), now_unix(), uuid(), raw(value)>"
