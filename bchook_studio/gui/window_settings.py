"""Read the window's saved settings, falling back to defaults for damaged values.

window.ini is a plain text file, so a crash, a full disk, a sync conflict or a
hand edit can leave values that are not what the window wrote. A damaged value
is logged and skipped: the window starts with its default for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings

logger = logging.getLogger(__name__)

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def restore_saved_state(
    settings: QSettings,
    key: str,
    restore: Callable[[QByteArray], bool],
    save: Callable[[], QByteArray],
) -> bool:
    """Pass the byte array saved under `key` to `restore`, and return True when
    it accepts the whole array.

    A missing value returns False. A value of another type, or one that
    `restore` rejects, is logged and returns False. Qt accepts some arrays cut
    short and fills in the rest (a splitter then collapses its panes), so an
    array shorter than what `save` returns afterwards is undone with the state
    `save` returned before, logged, and returns False.
    """
    value = settings.value(key)
    if value is None:
        return False
    if isinstance(value, bytes):
        value = QByteArray(value)
    if not isinstance(value, QByteArray):
        logger.warning(
            "invalid %s in %s: expected saved window state, got %s. "
            "The default is used.",
            key,
            settings.fileName(),
            type(value).__name__,
        )
        return False

    default = save()
    if not restore(value):
        logger.warning(
            "invalid %s in %s: the saved window state is damaged. The default is used.",
            key,
            settings.fileName(),
        )
        return False
    expected = save().size()
    if value.size() < expected:
        restore(default)
        logger.warning(
            "invalid %s in %s: the saved window state is cut short (%d of %d "
            "bytes). The default is used.",
            key,
            settings.fileName(),
            value.size(),
            expected,
        )
        return False
    return True


def int_setting(
    settings: QSettings, key: str, default: int, minimum: int, maximum: int
) -> int:
    """Return the whole number saved under `key`, or `default` when it is missing,
    not a whole number, or outside `minimum` to `maximum`."""
    value = settings.value(key, default)
    # Plain ASCII digits only: int() also takes "8_765" and other scripts' digits.
    text = str(value).strip()
    number = int(text) if _WHOLE_NUMBER.fullmatch(text) else None
    if number is None or not minimum <= number <= maximum:
        logger.warning(
            "invalid %s in %s: %r is not a whole number from %d to %d. %d is used.",
            key,
            settings.fileName(),
            value,
            minimum,
            maximum,
            default,
        )
        return default
    return number


def bool_setting(settings: QSettings, key: str, default: bool) -> bool:
    """Return the true or false value saved under `key`, or `default` when it is
    missing or neither."""
    value = settings.value(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    logger.warning(
        "invalid %s in %s: %r is neither true nor false. %s is used.",
        key,
        settings.fileName(),
        value,
        default,
    )
    return default
