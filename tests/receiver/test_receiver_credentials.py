"""Decoding the Basic credentials a request carried."""

import base64

import pytest

from bchook_studio.core.receiver import (
    BasicCredentials,
    RequiredCredentials,
    decode_basic_credentials,
)
from tests.receiver.helpers import run, running, send_raw


def basic(pair: bytes) -> str:
    return "Basic " + base64.b64encode(pair).decode("ascii")


def test_utf8_credentials():
    value = basic("Сергей:пароль".encode())

    decoded = decode_basic_credentials(value)

    assert decoded == BasicCredentials("Сергей", "пароль", "utf-8")


def test_latin1_fallback():
    value = basic(b"j\xfcrgen:p\xe4ss")

    decoded = decode_basic_credentials(value)

    assert decoded.username == "jürgen"
    assert decoded.password == "päss"
    assert decoded.charset == "latin-1"


def test_password_may_hold_colons():
    decoded = decode_basic_credentials(basic(b"carol:a:b:c"))

    assert decoded.username == "carol"
    assert decoded.password == "a:b:c"


def test_scheme_is_case_insensitive():
    decoded = decode_basic_credentials("bAsIc " + basic(b"u:p").split()[1])

    assert decoded == BasicCredentials("u", "p", "utf-8")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "Bearer abc",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no colon here").decode(),
        "Basic Zm9v\u00e9",
    ],
)
def test_malformed_credentials_give_none(value):
    assert decode_basic_credentials(value) is None


def test_record_decodes_its_credentials():
    header = basic(b"j\xfcrgen:p\xe4ss").encode("ascii")
    request = b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: " + header + b"\r\n\r\n"

    async def scenario():
        async with running() as receiver:
            await send_raw(receiver, request)
            return receiver.log.requests()[0]

    recorded = run(scenario())

    assert recorded.basic_credentials() == BasicCredentials("jürgen", "päss", "latin-1")
    assert "Authorization" not in repr(recorded)


def test_latin1_credentials_accepted_by_rule():
    required = RequiredCredentials("jürgen", "päss")

    offered = decode_basic_credentials(basic(b"j\xfcrgen:p\xe4ss"))

    assert required.accepts(offered)
    assert not required.accepts(None)
    assert not required.accepts(BasicCredentials("jürgen", "pass", "utf-8"))
