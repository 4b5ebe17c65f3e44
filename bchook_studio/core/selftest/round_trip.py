"""Send every topic in JSON and in XML to the built-in receiver and compare.

Each send goes through the product's own path: the default body from
`bodies.default_body`, an `OutgoingRequest` with Basic authentication, and
`deliver` with a `ClientPool`. The receiver listens on a free port on
127.0.0.1 and requires the same credentials, so a 200 response also proves
that the credentials arrived intact.
"""

import asyncio
import logging
from collections.abc import Sequence

from bchook_studio.core.bodies import default_body
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import (
    DEFAULT_USER_AGENT,
    BasicAuth,
    OutgoingRequest,
    Timeouts,
)
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.receiver import (
    LogReader,
    Receiver,
    ReceiverSettings,
    RequiredCredentials,
    ResponseRule,
)
from bchook_studio.core.selftest.cases import (
    CaseResult,
    CheckFailed,
    Outcome,
    run_async_case,
)
from bchook_studio.core.topics import CatalogueError, Topic, all_topics

logger = logging.getLogger(__name__)

USERNAME = "self-test"
PASSWORD = "pässwörd ✓"
"""Not ASCII, so the check covers the UTF-8 encoding of Basic credentials."""

TIMEOUTS = Timeouts(operation=10.0, total=20.0)
CASE_NAME = "round trip"
"""The name of the one case reported when the round trip cannot start."""


def round_trip_cases() -> list[CaseResult]:
    """Run the round trip on a new event loop; one result per topic and format."""
    return asyncio.run(_round_trip())


async def _round_trip() -> list[CaseResult]:
    try:
        topics = all_topics()
    except CatalogueError as exc:
        return [CaseResult(Outcome.FAIL, CASE_NAME, str(exc))]

    rule = ResponseRule(
        name="self-test", credentials=RequiredCredentials(USERNAME, PASSWORD)
    )
    receiver = Receiver(ReceiverSettings(host="127.0.0.1", port=0, rules=(rule,)))
    try:
        await receiver.start()
    except Exception as exc:
        logger.error("self-test receiver failed to start", exc_info=exc)
        return [
            CaseResult(
                Outcome.ERROR, CASE_NAME, f"the built-in receiver did not start: {exc}"
            )
        ]

    pool = ClientPool()
    try:
        return await _send_all(topics, receiver, pool)
    finally:
        await pool.aclose()
        await receiver.stop()


async def _send_all(
    topics: Sequence[Topic], receiver: Receiver, pool: ClientPool
) -> list[CaseResult]:
    reader = receiver.log.reader()
    results = []
    for topic in topics:
        for body_format in BodyFormat:

            async def check(
                topic: Topic = topic, body_format: BodyFormat = body_format
            ) -> None:
                await _send_one(topic, body_format, receiver, reader, pool)

            name = f"{topic.key} {body_format.value}"
            results.append(await run_async_case(name, check))
    return results


async def _send_one(
    topic: Topic,
    body_format: BodyFormat,
    receiver: Receiver,
    reader: LogReader,
    pool: ClientPool,
) -> None:
    """Send one topic in one format and raise CheckFailed on any difference."""
    try:
        body = default_body(topic, body_format).encode("utf-8")
    except CatalogueError as exc:
        raise CheckFailed(str(exc)) from None

    path = f"/self-test/{topic.key}/{body_format.value}"
    auth = BasicAuth(USERNAME, PASSWORD)
    request = OutgoingRequest(
        url=receiver.base_url + path,
        body=body,
        content_type=body_format.content_type,
        auth=auth,
        timeouts=TIMEOUTS,
    )
    result = await deliver(request, pool)

    if result.failure is not None:
        raise CheckFailed(
            f"the send to {request.url} failed: "
            f"{result.failure.kind.value}: {result.failure.message}"
        )
    response = result.response
    if response is None or response.status != 200:
        status = "no response" if response is None else f"{response.status}"
        raise CheckFailed(
            f"the built-in receiver responded with {status} instead of 200; a 401 "
            "means the Basic credentials arrived changed"
        )

    received = reader.take_new()
    if len(received) != 1:
        raise CheckFailed(
            f"the receiver recorded {len(received)} requests for one send"
        )
    arrived = received[0]

    expected_headers = {
        "Content-Type": body_format.content_type,
        "User-Agent": DEFAULT_USER_AGENT,
        "Authorization": auth.header_value(),
    }
    problems = []
    if arrived.method != "POST" or arrived.target != path:
        problems.append(f"arrived as {arrived.method} {arrived.target}")
    if arrived.body != body:
        problems.append(_body_difference(body, arrived.body))
    for name, expected in expected_headers.items():
        value = arrived.header(name)
        if value != expected:
            shown = "********" if name == "Authorization" else repr(value)
            problems.append(f"{name} was {shown}, expected {expected!r}")
    if problems:
        raise CheckFailed("; ".join(problems))


def _body_difference(sent: bytes, arrived: bytes) -> str:
    """Describe where two bodies first differ."""
    offset = min(len(sent), len(arrived))
    for index, (sent_byte, arrived_byte) in enumerate(zip(sent, arrived, strict=False)):
        if sent_byte != arrived_byte:
            offset = index
            break
    return (
        f"the body differs from byte {offset}: {len(arrived)} bytes arrived, "
        f"{len(sent)} were sent"
    )
