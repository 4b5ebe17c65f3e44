"""The app's event loop with callbacks that run a nested Qt event loop or
arrive after `close`.

A modal `QDialog.exec()` or `QMessageBox.about()` runs a nested Qt event loop.
Stock qasync 0.28.0 passes all of these tests.
"""

import socket
import threading

from PySide6.QtCore import QEventLoop, QTimer

from bchook_studio.gui.event_loop import BatchingEventLoop


def run_nested_loop(milliseconds: int) -> None:
    """Run a nested Qt event loop for `milliseconds`, as a modal dialog does."""
    inner = QEventLoop()
    QTimer.singleShot(milliseconds, inner.quit)
    inner.exec()


def test_nested_loop_in_callback(qtbot, qloop):
    ran = []

    def open_modal() -> None:
        # Something queues a callback while the modal loop runs, as a task
        # woken by a socket or a timer does. The callback ends the modal loop,
        # so a stalled machine cannot end it first (the fallback waits 2 s).
        inner = QEventLoop()

        def during() -> None:
            ran.append("during")
            inner.quit()

        QTimer.singleShot(10, lambda: qloop.call_soon(during))
        QTimer.singleShot(2000, inner.quit)
        inner.exec()
        ran.append("modal closed")

    with qtbot.capture_exceptions() as exceptions:
        qloop.call_soon(open_modal)
        qloop.call_soon(ran.append, "queued")
        qtbot.waitUntil(lambda: "modal closed" in ran, timeout=5000)
        qtbot.wait(20)

    assert [repr(exception[1]) for exception in exceptions] == []
    assert ran == ["queued", "during", "modal closed"]


def test_reader_with_nested_loop(qtbot, qloop):
    left, right = socket.socketpair()
    left.setblocking(False)
    reported = []
    received = []

    def read_one_byte() -> None:
        received.append(left.recv(1))
        if len(received) == 1:
            # The other bytes stay unread while the nested loop runs.
            run_nested_loop(50)

    qloop.set_exception_handler(lambda loop, context: reported.append(context))
    try:
        qloop.add_reader(left, read_one_byte)
        right.send(b"abc")
        qtbot.waitUntil(lambda: len(received) == 3, timeout=2000)
    finally:
        qloop.set_exception_handler(None)
        qloop.remove_reader(left)
        left.close()
        right.close()

    assert [repr(context.get("exception")) for context in reported[:1]] == []
    assert len(reported) == 0
    assert received == [b"a", b"b", b"c"]


def test_call_soon_after_close(qapp):
    loop = BatchingEventLoop(qapp)
    loop.close()
    ran = []

    handle = loop.call_soon(ran.append, "after close")
    qapp.processEvents()

    assert handle.cancelled()
    assert ran == []


def test_threadsafe_call_before_close_is_dropped(qapp):
    loop = BatchingEventLoop(qapp)
    ran = []
    reported = []
    loop.set_exception_handler(lambda loop, context: reported.append(context))
    sender = threading.Thread(
        target=lambda: loop.call_soon_threadsafe(ran.append, "from a thread")
    )
    sender.start()
    sender.join()

    loop.close()
    qapp.processEvents()

    assert ran == []
    assert reported == []


def test_reader_that_closes_loop_stays_disabled(qtbot, qapp):
    loop = BatchingEventLoop(qapp)
    left, right = socket.socketpair()
    left.setblocking(False)
    calls = []
    notifiers = []

    def close_loop() -> None:
        calls.append(None)
        notifiers.append(loop._read_notifiers[left])
        loop.close()

    try:
        loop.add_reader(left, close_loop)
        right.send(b"unread")
        qtbot.waitUntil(lambda: calls == [None], timeout=2000)
        qtbot.wait(30)
    finally:
        left.close()
        right.close()

    assert calls == [None]
    # An enabled notifier without its callback would keep Qt's loop busy.
    assert not notifiers[0].isEnabled()
