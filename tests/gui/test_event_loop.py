"""The app's event loop: batched ready callbacks and direct socket callbacks."""

import asyncio
import contextvars
import gc
import socket
import time

import pytest
from PySide6.QtCore import QTimer

from bchook_studio.gui.event_loop import PASS_BUDGET_SECONDS, BatchingEventLoop
from tests.gui.conftest import run_in_loop

REQUEST_ID = contextvars.ContextVar("REQUEST_ID", default="none")

CALLBACK_SECONDS = PASS_BUDGET_SECONDS / 4
"""How long each socket callback of the pass-budget tests takes."""


def test_call_soon_runs_callbacks_in_order(qtbot, qloop):
    ran = []
    for number in range(5):
        qloop.call_soon(ran.append, number)

    qtbot.waitUntil(lambda: len(ran) == 5, timeout=2000)

    assert ran == [0, 1, 2, 3, 4]


def test_call_soon_skips_cancelled_callback(qtbot, qloop):
    ran = []
    qloop.call_soon(ran.append, "first")
    qloop.call_soon(ran.append, "cancelled").cancel()
    qloop.call_soon(ran.append, "last")

    qtbot.waitUntil(lambda: "last" in ran, timeout=2000)

    assert ran == ["first", "last"]


def test_call_soon_uses_given_context(qtbot, qloop):
    context = contextvars.copy_context()
    context.run(REQUEST_ID.set, "r-42")
    seen = []

    qloop.call_soon(lambda: seen.append(REQUEST_ID.get()), context=context)
    qloop.call_soon(lambda: seen.append(REQUEST_ID.get()))

    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert seen == ["r-42", "none"]


def test_call_soon_reports_failure_and_continues(qtbot, qloop):
    reported = []
    ran = []
    qloop.set_exception_handler(lambda loop, context: reported.append(context))
    try:
        qloop.call_soon(lambda: 1 / 0)
        qloop.call_soon(ran.append, "after")
        qtbot.waitUntil(lambda: ran == ["after"], timeout=2000)
    finally:
        qloop.set_exception_handler(None)

    assert isinstance(reported[0]["exception"], ZeroDivisionError)


def test_call_soon_chain_lets_qt_timers_run(qtbot, qloop):
    passes = []
    timer_fired = []

    def again() -> None:
        passes.append(None)
        if not timer_fired and len(passes) < 10_000:
            qloop.call_soon(again)

    QTimer.singleShot(0, lambda: timer_fired.append(len(passes)))
    qloop.call_soon(again)

    qtbot.waitUntil(lambda: bool(timer_fired), timeout=2000)
    assert timer_fired[0] < 100


def test_call_soon_rejects_non_callable(qloop):
    with pytest.raises(TypeError, match="callback must be callable: str"):
        qloop.call_soon("not a function")


def test_add_reader_runs_until_removed(qtbot, qloop):
    left, right = socket.socketpair()
    left.setblocking(False)
    received = []

    def read() -> None:
        received.append(left.recv(100))

    try:
        qloop.add_reader(left, read)
        right.send(b"one")
        qtbot.waitUntil(lambda: received == [b"one"], timeout=2000)
        right.send(b"two")
        qtbot.waitUntil(lambda: received == [b"one", b"two"], timeout=2000)

        assert qloop.remove_reader(left)
        right.send(b"three")
        qtbot.wait(50)
        assert received == [b"one", b"two"]
    finally:
        qloop.remove_reader(left)
        left.close()
        right.close()


def test_add_reader_replaces_earlier_reader(qtbot, qloop):
    left, right = socket.socketpair()
    left.setblocking(False)
    first = []
    second = []

    try:
        qloop.add_reader(left, lambda: first.append(left.recv(100)))
        qloop.add_reader(left, lambda: second.append(left.recv(100)))
        right.send(b"data")
        qtbot.waitUntil(lambda: second == [b"data"], timeout=2000)
        assert first == []
    finally:
        qloop.remove_reader(left)
        left.close()
        right.close()


def test_busy_sockets_let_qt_timers_run(qtbot, qloop):
    pairs = [socket.socketpair() for _ in range(40)]
    events: list[str] = []

    def read(sock: socket.socket) -> None:
        sock.recv(100)
        if not events:
            # Due once the socket callbacks of this pass of Qt's loop are done.
            QTimer.singleShot(0, lambda: events.append("timer"))
        events.append("socket")
        time.sleep(CALLBACK_SECONDS)

    try:
        for left, _right in pairs:
            left.setblocking(False)
            qloop.add_reader(left, read, left)
        for _left, right in pairs:
            right.send(b"x")

        qtbot.waitUntil(lambda: events.count("socket") == len(pairs), timeout=5000)

        assert "timer" in events
        assert events.index("timer") < len(pairs)
    finally:
        for left, right in pairs:
            qloop.remove_reader(left)
            left.close()
            right.close()


def test_deferred_socket_removed_stays_off(qtbot, qloop):
    pairs = [socket.socketpair() for _ in range(20)]
    read_after_removal: list[int] = []
    removed: set[int] = set()

    def read(index: int, sock: socket.socket) -> None:
        sock.recv(100)
        if index in removed:
            read_after_removal.append(index)
        time.sleep(CALLBACK_SECONDS)
        # The first callback removes every other reader, some of which wait
        # for the next pass.
        if not removed:
            for other, (left, _right) in enumerate(pairs):
                if other != index:
                    qloop.remove_reader(left)
                    removed.add(other)

    try:
        for index, (left, _right) in enumerate(pairs):
            left.setblocking(False)
            qloop.add_reader(left, read, index, left)
        for _left, right in pairs:
            right.send(b"x")

        qtbot.wait(200)

        assert read_after_removal == []
    finally:
        for left, right in pairs:
            qloop.remove_reader(left)
            left.close()
            right.close()


def test_add_writer_runs_when_writable(qtbot, qloop):
    left, right = socket.socketpair()
    writable = []

    def ready() -> None:
        writable.append(True)
        qloop.remove_writer(left)

    try:
        qloop.add_writer(left, ready)
        qtbot.waitUntil(lambda: writable == [True], timeout=2000)
    finally:
        qloop.remove_writer(left)
        left.close()
        right.close()


def test_streams_echo_over_loopback(qtbot, qloop):
    async def exchange() -> list[bytes]:
        async def echo(reader, writer) -> None:
            while line := await reader.readline():
                writer.write(line.upper())
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = []
        for number in range(200):
            writer.write(b"message %d\n" % number)
            await writer.drain()
            answers.append(await reader.readline())
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return answers

    answers = run_in_loop(qtbot, exchange())

    assert answers[0] == b"MESSAGE 0\n"
    assert answers[-1] == b"MESSAGE 199\n"
    assert len(answers) == 200


def test_close_drops_queued_callbacks(qapp):
    loop = BatchingEventLoop(qapp)
    ran = []
    loop.call_soon(ran.append, "queued")

    loop.close()
    qapp.processEvents()

    assert ran == []
    assert loop.is_closed()


def test_dropped_async_generator_closed_on_loop(qtbot, qloop):
    closed = []

    async def numbers():
        try:
            yield 1
            yield 2
        finally:
            await asyncio.sleep(0)
            closed.append(True)

    async def take_first() -> int:
        generator = numbers()
        first = await generator.__anext__()
        del generator
        gc.collect()
        return first

    assert run_in_loop(qtbot, take_first()) == 1
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
