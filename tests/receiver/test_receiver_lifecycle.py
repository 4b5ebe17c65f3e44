"""Receiver lifecycle: states, addresses and ports, stopping with clients attached."""

import asyncio
import logging
import socket
import subprocess
import sys
import time

import httpx
import pytest

from bchook_studio.core.receiver import (
    Fault,
    NonLoopbackHostError,
    PortInUseError,
    Receiver,
    ReceiverLimits,
    ReceiverSettings,
    ReceiverState,
    ReceiverStateError,
    ResponseRule,
)
from bchook_studio.core.receiver.addresses import resolve_listen_address
from tests.receiver.helpers import (
    client,
    raw_connection,
    read_response,
    run,
    running,
    wait_for_requests,
)


def test_states_through_start_and_stop():
    async def scenario():
        receiver = Receiver(ReceiverSettings(port=0))
        states = [receiver.state]
        await receiver.start()
        states.append(receiver.state)
        await receiver.stop()
        states.append(receiver.state)
        return states

    states = run(scenario())

    assert states == [
        ReceiverState.STOPPED,
        ReceiverState.RUNNING,
        ReceiverState.STOPPED,
    ]


def test_start_twice_names_state():
    async def scenario():
        async with running() as receiver:
            with pytest.raises(ReceiverStateError) as caught:
                await receiver.start()
            return caught.value

    error = run(scenario())

    assert "while it is running" in str(error)


def test_stop_when_stopped_names_state():
    async def scenario():
        receiver = Receiver(ReceiverSettings(port=0))
        with pytest.raises(ReceiverStateError) as caught:
            await receiver.stop()
        return caught.value

    error = run(scenario())

    assert "while it is stopped" in str(error)


def test_address_only_while_running():
    receiver = Receiver(ReceiverSettings(port=0))

    with pytest.raises(ReceiverStateError) as caught:
        _ = receiver.base_url

    assert "stopped" in str(caught.value)


def test_start_while_starting_names_state():
    async def scenario():
        receiver = Receiver(ReceiverSettings(port=0))
        first = asyncio.create_task(receiver.start())
        await asyncio.sleep(0)
        with pytest.raises(ReceiverStateError) as caught:
            await receiver.start()
        await first
        await receiver.stop()
        return caught.value

    error = run(scenario())

    assert "while it is starting" in str(error)


def test_base_url_and_port():
    async def scenario():
        async with running() as receiver:
            return receiver.base_url, receiver.port, receiver.address

    base_url, port, address = run(scenario())

    assert base_url == f"http://127.0.0.1:{port}"
    assert port > 0
    assert address == ("127.0.0.1", port)


def ipv6_loopback_available() -> bool:
    try:
        probe = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        return False
    probe.close()
    return True


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback")
def test_ipv6_loopback_url_in_brackets():
    async def scenario():
        async with running(host="::1") as receiver, client() as http:
            response = await http.get(receiver.base_url + "/v6")
            return receiver.base_url, receiver.port, response.status_code

    base_url, port, status = run(scenario())

    assert base_url == f"http://[::1]:{port}"
    assert status == 200


def test_second_loopback_address_allowed():
    try:
        probe = socket.create_server(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 is not usable on this system")
    probe.close()

    async def scenario():
        async with running(host="127.0.0.2") as receiver:
            return receiver.base_url

    assert run(scenario()).startswith("http://127.0.0.2:")


def test_localhost_name_resolves_to_loopback():
    async def scenario():
        async with running(host="localhost") as receiver:
            return receiver.address[0]

    assert run(scenario()) in {"127.0.0.1", "::1"}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "hooks.example"])
def test_non_loopback_host_rejected(host):
    async def scenario():
        receiver = Receiver(ReceiverSettings(host=host, port=0))
        with pytest.raises(NonLoopbackHostError) as caught:
            await receiver.start()
        return receiver.state, caught.value

    state, error = run(scenario())

    assert state is ReceiverState.STOPPED
    assert host in str(error)
    assert "127.0.0.1" in str(error)


def test_non_loopback_address_passes_when_allowed():
    # Resolution only: the tests never listen on an address other machines reach.
    address = run(resolve_listen_address("0.0.0.0", allow_non_loopback=True))

    assert address == "0.0.0.0"


def test_port_fallback_takes_next_free():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        taken_port = taken.getsockname()[1]

        async def scenario():
            async with running(port=taken_port, port_fallback=True) as receiver:
                return receiver.port

        port = run(scenario())

    assert taken_port < port < taken_port + 20


def test_taken_port_without_fallback():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        taken_port = taken.getsockname()[1]

        async def scenario():
            receiver = Receiver(ReceiverSettings(port=taken_port))
            with pytest.raises(PortInUseError) as caught:
                await receiver.start()
            return receiver.state, caught.value

        state, error = run(scenario())

    assert state is ReceiverState.STOPPED
    assert error.port == taken_port
    assert error.host == "127.0.0.1"
    assert f"port {taken_port} on 127.0.0.1 is already in use" in str(error)


def test_restart_keeps_log_and_ids():
    async def scenario():
        receiver = Receiver(ReceiverSettings(port=0))
        for _ in range(2):
            await receiver.start()
            async with client() as http:
                await http.get(receiver.base_url)
            await receiver.stop()
        return [request.id for request in receiver.log.requests()]

    assert run(scenario()) == [2, 1]


def test_stop_with_hung_clients_is_prompt(caplog):
    rules = (ResponseRule(path_prefix="/hang", fault=Fault.HANG), ResponseRule())

    async def scenario():
        async with client(timeout=30.0) as http:
            receiver = Receiver(ReceiverSettings(port=0, rules=rules))
            await receiver.start()
            hung = asyncio.create_task(http.post(f"{receiver.base_url}/hang"))
            async with raw_connection(receiver) as (reader, writer):
                # One idle keep-alive connection and one request cut mid-body.
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await read_response(reader)
                _, partial = await asyncio.open_connection(*receiver.address)
                partial.write(
                    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n"
                )
                await partial.drain()
                await wait_for_requests(receiver, 2)

                started = time.perf_counter()
                await receiver.stop()
                elapsed = time.perf_counter() - started

                rest = await asyncio.wait_for(reader.read(), 5)
            partial.close()
            with pytest.raises(httpx.RemoteProtocolError):
                await hung
            return elapsed, rest, receiver

    with caplog.at_level(logging.WARNING):
        elapsed, rest, receiver = run(scenario())

    assert elapsed < 2.0
    assert rest == b""
    assert receiver.state is ReceiverState.STOPPED
    assert receiver.connection_count == 0
    assert caplog.records == []


def test_stop_cancels_delayed_response():
    rules = (ResponseRule(delay_ms=60_000),)

    async def scenario():
        async with client() as http:
            receiver = Receiver(ReceiverSettings(port=0, rules=rules))
            await receiver.start()
            waiting = asyncio.create_task(http.get(receiver.base_url))
            await wait_for_requests(receiver, 1)
            started = time.perf_counter()
            await receiver.stop()
            elapsed = time.perf_counter() - started
            with pytest.raises(httpx.RemoteProtocolError):
                await waiting
            return elapsed

    assert run(scenario()) < 2.0


def test_start_and_stop_logged(caplog):
    async def scenario():
        async with running() as receiver:
            return receiver.base_url

    with caplog.at_level(logging.INFO, logger="bchook_studio.core.receiver"):
        base_url = run(scenario())

    messages = [record.getMessage() for record in caplog.records]
    assert f"receiver listening on {base_url}" in messages
    assert f"receiver on {base_url} stopped" in messages


def test_configure_applies_at_next_start():
    async def scenario():
        receiver = Receiver(ReceiverSettings(port=0))
        await receiver.start()
        with pytest.raises(ReceiverStateError) as caught:
            receiver.configure(ReceiverSettings(port=0))
        async with client() as http:
            await http.get(receiver.base_url)
        await receiver.stop()

        limits = ReceiverLimits(max_kept_requests=1)
        rules = (ResponseRule(status=202),)
        receiver.configure(ReceiverSettings(port=0, limits=limits, rules=rules))
        await receiver.start()
        async with client() as http:
            response = await http.get(receiver.base_url)
        await receiver.stop()
        return caught.value, response, receiver.log

    error, response, log = run(scenario())

    assert "while it is running" in str(error)
    assert response.status_code == 202
    assert [request.id for request in log.requests()] == [2]
    assert log.max_count == 1


IMPORT_THREAD_PROBE = """
import asyncio, importlib.abc, sys, threading

from bchook_studio.core.receiver import Receiver, ReceiverSettings

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "h11":
            print(threading.current_thread().name)
        return None

sys.meta_path.insert(0, Watch())

async def main():
    receivers = [Receiver(ReceiverSettings(port=0)) for _ in range(2)]
    await asyncio.gather(*(receiver.start() for receiver in receivers))
    for receiver in receivers:
        await receiver.stop()

asyncio.run(main())
"""


def test_start_imports_h11_once_off_loop_thread():
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_THREAD_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert completed.stdout.split() == ["import_0"]
