"""The Inbox: the GUI of the built-in receiver.

`InboxPanel` goes in a dock and drives a `ReceiverController`.
`RulesDialog` edits the response rules, and `ResendDialog` prompts for the URL
to send a received request to again.
"""

from bchook_studio.gui.inbox.detail import RequestDetail
from bchook_studio.gui.inbox.model import InboxModel
from bchook_studio.gui.inbox.panel import InboxPanel
from bchook_studio.gui.inbox.resend_dialog import ResendDialog
from bchook_studio.gui.inbox.rules_dialog import RulesDialog

__all__ = [
    "InboxModel",
    "InboxPanel",
    "RequestDetail",
    "ResendDialog",
    "RulesDialog",
]
