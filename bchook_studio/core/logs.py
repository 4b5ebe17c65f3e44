"""Logging set-up for the app and the CLI, with secrets redacted.

Library modules only create their own logger. `configure_logging` is called once
by an entry point and installs a rotating file in the app home folder whose
formatter removes credentials from every record, tracebacks included.
"""

import logging
import os
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


class RotatingLogFile(logging.FileHandler):
    """A log file renamed to NAME.1 before a record would take it past `max_bytes`.

    The older copies move up one number first (NAME.1 to NAME.2, and so on),
    and the one past `backup_count` is replaced. It rotates the way
    logging.handlers.RotatingFileHandler does, but that module imports pickle,
    queue and struct for its other handlers: about 3 ms and 0.5 MiB of every
    start on the 2-core VM of docs/benchmarks.md.
    """

    def __init__(self, path: Path, max_bytes: int, backup_count: int) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.backup_count = backup_count

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._is_full_for(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _is_full_for(self, record: logging.LogRecord) -> bool:
        if self.max_bytes <= 0:
            return False
        # Something other than a file, such as /dev/null, never fills up.
        path = self.baseFilename
        if os.path.exists(path) and not os.path.isfile(path):
            return False
        if self.stream is None:
            self.stream = self._open()
        position = self.stream.seek(0, os.SEEK_END)
        # A record longer than the limit still goes into an empty file.
        if position == 0:
            return False
        size = len(self.format(record)) + len(self.terminator)
        return position + size > self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        # The file may be gone (removed while the app ran); a new one starts.
        base = self.baseFilename
        for number in range(self.backup_count - 1, 0, -1):
            older = f"{base}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{base}.{number + 1}")
        if os.path.exists(base):
            if self.backup_count > 0:
                os.replace(base, f"{base}.1")
            else:
                os.remove(base)
        self.stream = self._open()


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
    handler = RotatingLogFile(log_path, _MAX_BYTES, _BACKUP_COUNT)
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
