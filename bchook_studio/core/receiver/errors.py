"""Errors the receiver raises to its callers."""


class ReceiverError(Exception):
    """Base class of the receiver's errors."""


class ReceiverStateError(ReceiverError):
    """A call that the receiver's current lifecycle state does not allow."""


class ReceiverStartError(ReceiverError):
    """The receiver could not start listening."""


class PortInUseError(ReceiverStartError):
    """Every port the receiver tried on its host is taken by another program."""

    def __init__(self, message: str, host: str, port: int) -> None:
        super().__init__(message)
        self.host = host
        self.port = port
        """The port requested (the first one tried)."""


class NonLoopbackHostError(ReceiverStartError):
    """The host is reachable from other machines and `allow_non_loopback` is off."""
