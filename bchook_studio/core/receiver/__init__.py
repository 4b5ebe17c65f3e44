"""The built-in webhook receiver: an HTTP/1.1 server on asyncio with h11.

`Receiver` listens and responds by `ResponseRule`; every request lands in a
`RequestLog` as a `ReceivedRequest`. Nothing here imports Qt.
"""

from bchook_studio.core.receiver.credentials import (
    BasicCredentials,
    RequiredCredentials,
    decode_basic_credentials,
)
from bchook_studio.core.receiver.errors import (
    NonLoopbackHostError,
    PortInUseError,
    ReceiverError,
    ReceiverStartError,
    ReceiverStateError,
)
from bchook_studio.core.receiver.records import UNKNOWN, ReceivedRequest
from bchook_studio.core.receiver.request_log import LogReader, RequestLog
from bchook_studio.core.receiver.rules import DEFAULT_RULE, Fault, ResponseRule
from bchook_studio.core.receiver.server import Receiver, ReceiverState
from bchook_studio.core.receiver.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ReceiverLimits,
    ReceiverSettings,
)

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_RULE",
    "UNKNOWN",
    "BasicCredentials",
    "Fault",
    "LogReader",
    "NonLoopbackHostError",
    "PortInUseError",
    "ReceivedRequest",
    "Receiver",
    "ReceiverError",
    "ReceiverLimits",
    "ReceiverSettings",
    "ReceiverStartError",
    "ReceiverState",
    "ReceiverStateError",
    "RequestLog",
    "RequiredCredentials",
    "ResponseRule",
    "decode_basic_credentials",
]
