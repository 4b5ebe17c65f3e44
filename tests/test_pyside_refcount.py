"""Guard against PySide6 releases that lose references to None.

PySide6 6.12.0 on Python 3.10 and 3.11 drops a reference to None on every call
of a Qt method that returns nothing; the process aborts with "Fatal Python
error: none_dealloc" after a few thousand calls. Python 3.12 made None
immortal, so its reference count never changes there.
"""

import sys

import pytest

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None is immortal on Python 3.12+, so its reference count never changes",
)


def test_void_qt_calls_keep_none_refcount(qapp):
    from PySide6.QtWidgets import QPlainTextEdit

    editor = QPlainTextEdit()
    before = sys.getrefcount(None)
    for _ in range(1000):
        editor.setReadOnly(False)
    after = sys.getrefcount(None)

    assert after >= before, (
        f"None lost {before - after} references over 1,000 void Qt calls; this "
        "PySide6 release aborts the app. Use PySide6-Essentials < 6.12 on Python 3.11."
    )
