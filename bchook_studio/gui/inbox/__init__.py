"""The Inbox: the GUI of the built-in receiver.

`InboxPanel` goes in a dock and drives a `ReceiverController`.
`RulesDialog` edits the response rules, and `ResendDialog` prompts for the URL
to send a received request to again. Each is imported on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bchook_studio.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bchook_studio.gui.inbox.detail import RequestDetail
    from bchook_studio.gui.inbox.model import InboxModel
    from bchook_studio.gui.inbox.panel import InboxPanel
    from bchook_studio.gui.inbox.resend_dialog import ResendDialog
    from bchook_studio.gui.inbox.rules_dialog import RulesDialog

_SUBMODULES = {
    "InboxModel": "bchook_studio.gui.inbox.model",
    "InboxPanel": "bchook_studio.gui.inbox.panel",
    "RequestDetail": "bchook_studio.gui.inbox.detail",
    "ResendDialog": "bchook_studio.gui.inbox.resend_dialog",
    "RulesDialog": "bchook_studio.gui.inbox.rules_dialog",
}

__all__ = [
    "InboxModel",
    "InboxPanel",
    "RequestDetail",
    "ResendDialog",
    "RulesDialog",
]

__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
