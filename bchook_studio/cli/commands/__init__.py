"""One module per sub-command, each with `register(subparsers)`."""

from bchook_studio.cli.commands import (
    check,
    export,
    history,
    imports,
    receive,
    render,
    self_test,
    send,
    show,
    topics,
)

MODULES = (
    topics,
    show,
    send,
    render,
    receive,
    history,
    export,
    imports,
    check,
    self_test,
)
