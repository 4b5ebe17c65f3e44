"""Logging set-up for the app and the CLI, with secrets redacted.

Library modules only create their own logger. `configure_logging` is called once
by an entry point and installs a rotating file in the app home folder whose
formatter removes credentials from every record, tracebacks included.
"""

import logging
import logging.handlers
import re
import threading
from pathlib import Path

LOG_FILE_NAME = "bchook-studio.log"
MASK = "********"

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MAX_BYTES = 2 * 1024 * 1024
_BACKUP_COUNT = 3
_MIN_SECRET_LENGTH = 3

# Each pattern keeps group 1 and masks what follows it.
_REDACTIONS = [
    # Header lines and header tuples: Authorization, Proxy-Authorization, Cookie.
    re.compile(
        r"((?:proxy-)?authorization['\"]?\s*[:=,]\s*['\"]?)(?:[A-Za-z]+\s+)?[^'\"\s,)}\]]+",
        re.IGNORECASE,
    ),
    re.compile(r"((?:set-)?cookie['\"]?\s*[:=,]\s*['\"]?)[^'\"\n]+", re.IGNORECASE),
    # password=..., "token": "...", api_key: ...
    re.compile(
        r"((?:password|passwd|passphrase|secret|token|api[_-]?key)['\"]?\s*[:=]\s*['\"]?)"
        r"[^'\"\s,&)}\]]+",
        re.IGNORECASE,
    ),
    # URL user-info: scheme://user:password@host. The scheme's length is
    # bounded, so a long run of letters costs a short scan from each letter
    # instead of a scan to the end of the run.
    re.compile(r"([a-z][a-z0-9+.-]{0,31}://[^/@\s:]*:)[^/@\s]+(?=@)", re.IGNORECASE),
]

_secrets_lock = threading.Lock()
_known_secrets: set[str] = set()


def mask_url_password(url: str) -> str:
    """Return `url` with the password of its user-info replaced by the mask."""
    return _REDACTIONS[3].sub(lambda match: match.group(1) + MASK, url)


def register_secret(value: str | None) -> None:
    """Remember a secret so that it is masked wherever it appears in a log line."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with credentials, cookies, tokens and URL passwords masked."""
    for pattern in _REDACTIONS:
        text = pattern.sub(lambda match: match.group(1) + MASK, text)

    with _secrets_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output, tracebacks included, has secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(home: Path, level: int = logging.INFO) -> Path:
    """Send log records to a rotating file in `home` and return its path.

    Calling it again replaces the handler it installed before, so tests and
    repeated CLI calls in one process do not stack handlers.
    """
    log_path = home / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=_MAX_BYTES, backupCount=_BACKUP_COUNT, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter(_LOG_FORMAT))
    handler.set_name("bchook-studio-file")

    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == handler.get_name()]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)

    # httpx logs every request URL at INFO, user-info and query included.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    return log_path
