"""The built-in webhook receiver: an HTTP/1.1 server on asyncio with h11.

`Receiver` listens and responds by `ResponseRule`; every request lands in a
`RequestLog` as a `ReceivedRequest`. Nothing here imports Qt.

Names are imported from their submodules on first access, so a window can
import the request records before the server and h11 are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bchook_studio.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

_SUBMODULES = {
    "BasicCredentials": "bchook_studio.core.receiver.credentials",
    "DEFAULT_HOST": "bchook_studio.core.receiver.settings",
    "DEFAULT_PORT": "bchook_studio.core.receiver.settings",
    "DEFAULT_RULE": "bchook_studio.core.receiver.rules",
    "Fault": "bchook_studio.core.receiver.rules",
    "LogReader": "bchook_studio.core.receiver.request_log",
    "NonLoopbackHostError": "bchook_studio.core.receiver.errors",
    "PortInUseError": "bchook_studio.core.receiver.errors",
    "ReceivedRequest": "bchook_studio.core.receiver.records",
    "Receiver": "bchook_studio.core.receiver.server",
    "ReceiverError": "bchook_studio.core.receiver.errors",
    "ReceiverLimits": "bchook_studio.core.receiver.settings",
    "ReceiverSettings": "bchook_studio.core.receiver.settings",
    "ReceiverStartError": "bchook_studio.core.receiver.errors",
    "ReceiverState": "bchook_studio.core.receiver.server",
    "ReceiverStateError": "bchook_studio.core.receiver.errors",
    "RequestLog": "bchook_studio.core.receiver.request_log",
    "RequiredCredentials": "bchook_studio.core.receiver.credentials",
    "ResponseRule": "bchook_studio.core.receiver.rules",
    "UNKNOWN": "bchook_studio.core.receiver.records",
    "decode_basic_credentials": "bchook_studio.core.receiver.credentials",
}
"""The submodule that defines each name of `__all__`."""

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


__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
