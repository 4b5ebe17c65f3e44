"""The rendered body, read-only, with a status line about the last render."""

import logging

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bchook_studio.core.text_difference import changed_span, utf16_offset
from bchook_studio.gui.designer.render_status import NEUTRAL_COLOUR
from bchook_studio.gui.editor.code_editor import CodeEditor
from bchook_studio.gui.elided_label import ElidedLabel

logger = logging.getLogger(__name__)

SPAN_EDIT_MIN_CHARS = 64 * 1024
"""From this length on, a new preview that shares most of its text with the
shown one replaces only the span that differs. Loading 5 MB whole blocked the
GUI for about 0.8 s, while the span edit takes a few milliseconds."""


class PreviewPanel(QWidget):
    """The preview editor and its status line ("Rendered 1.2 KB in 3 ms · …")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setIndent(6)
        self.title.hide()
        self.editor = CodeEditor(self, read_only=True)
        self._shown_text = ""
        """The editor's text, kept to spare reading megabytes back from it."""
        self.status = ElidedLabel(self)
        self.status.setContentsMargins(4, 2, 4, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)

    def set_title_height(self, height: int) -> None:
        """Show the "Preview" title at this height, level with a tab bar beside
        the panel, or hide it with 0 when the panel is a tab itself."""
        self.title.setFixedHeight(max(height, 0))
        self.title.setVisible(height > 0)

    def show_text(self, text: str) -> None:
        """Show a new rendered body, keeping the scroll position, so that typing
        in the template does not send the preview back to the top."""
        old = self._shown_text
        if text == old:
            return
        self._shown_text = text
        vertical = self.editor.verticalScrollBar().value()
        horizontal = self.editor.horizontalScrollBar().value()
        if len(old) < SPAN_EDIT_MIN_CHARS or len(text) < SPAN_EDIT_MIN_CHARS:
            # NOTE: a new large body (not an edit of the shown one) is loaded
            # whole, so one near RenderLimits.max_output_bytes (16 MiB) blocks
            # the GUI while it loads.
            self.editor.set_text(text)
        else:
            self._replace_changed_span(old, text)
        self.editor.verticalScrollBar().setValue(vertical)
        self.editor.horizontalScrollBar().setValue(horizontal)

    def _replace_changed_span(self, old: str, text: str) -> None:
        span = changed_span(old, text)
        if span is None:
            return
        self.editor.replace_span(
            utf16_offset(old, span.start),
            utf16_offset(old, span.old_end),
            text[span.start : span.new_end],
        )

    def set_status(self, text: str, colour: str = NEUTRAL_COLOUR) -> None:
        """Show one line of status in a colour given as "#rrggbb"."""
        self.status.set_elided_text(text)
        self.status.setStyleSheet(f"color: {colour};")
