"""The template designer: the body editor, the event data and the live preview."""

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from bchook_studio.core.bodies import default_body, render_event
from bchook_studio.core.caps import format_size
from bchook_studio.core.formats import (
    BodyFormat,
    FormatError,
    FormatProblem,
    ParserLimit,
)
from bchook_studio.core.templates import RenderResult, default_template, parse_event
from bchook_studio.core.topics import Topic, find_topic
from bchook_studio.core.webhook import DEFAULT_TOPIC, BodyMode, Webhook
from bchook_studio.gui.designer.designer_views import BODY_TAB, DesignerViews
from bchook_studio.gui.designer.format_switch import (
    FormatSwitchPlan,
    is_default_template,
    plan_format_switch,
)
from bchook_studio.gui.designer.live_render import (
    LiveRender,
    RenderRequest,
    run_request,
)
from bchook_studio.gui.designer.problem_list import (
    EVENT_DATA_KIND,
    DesignerProblem,
    ProblemSite,
)
from bchook_studio.gui.designer.render_runner import RenderRunner
from bchook_studio.gui.designer.render_status import (
    NEUTRAL_COLOUR,
    OK_COLOUR,
    PROBLEM_COLOUR,
    render_status,
)
from bchook_studio.gui.editor.code_editor import (
    CodeEditor,
    escape_paragraph_separators,
)
from bchook_studio.gui.error_reporter import report_task_failure

if TYPE_CHECKING:
    from bchook_studio.gui.designer.event_tree import FieldsPanel

logger = logging.getLogger(__name__)


class TemplateDesigner(DesignerViews):
    """Design a webhook body: Raw text, or a template rendered against event data.

    The Body tab contains the body editor, with field completion and a field
    tree in Template mode. The Event data tab contains the JSON event that the
    template reads. The Preview tab, or a pane beside the tabs, shows the body
    as it will be sent. Problems are marked at their line and listed under the
    editors.

    Calls from the window (`set_topic`, `set_format`, `set_webhook_body`,
    `load_webhook`) are not user edits and emit no `changed`. Rendering runs in
    worker processes once Template mode needs it; Raw mode with a body up to
    128 KiB starts none. Call `aclose` before the window closes.
    """

    changed = Signal()
    """The user edited the body or the event data, or switched the body mode."""

    problems_changed = Signal(list)
    """The listed problems changed (a list of DesignerProblem)."""

    preview_updated = Signal(object)
    """The preview shows a new render (its RenderResult)."""

    mode_changed = Signal(object)
    """The body mode changed, by the user or by a call (a BodyMode)."""

    status_message = Signal(str)
    """A short message for the window's status bar, such as a copy's outcome."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        runner: RenderRunner | None = None,
        topic: Topic | None = None,
        fill_default: bool = True,
    ) -> None:
        """Build the views, and with `fill_default` show and render the topic's body.

        A caller that loads a webhook right after construction passes
        `fill_default=False`, which leaves both editors empty and renders
        nothing, so the body is not filled and rendered twice.
        """
        super().__init__(parent)
        self._mode = BodyMode.RAW
        self._problems: list[DesignerProblem] = []
        self._last_result: RenderResult | None = None
        self._owns_runner = runner is None
        self._runner = runner if runner is not None else RenderRunner()
        self._topic = topic if topic is not None else find_topic(DEFAULT_TOPIC)
        self._format = BodyFormat.JSON
        self._revision = 0
        self._parsed_text: str | None = None
        self._shown_event_text: str | None = None
        self._event: dict[str, Any] | None = None
        self._event_problem: FormatProblem | None = None
        self._body_problems: list[DesignerProblem] = []
        self._copy_task: asyncio.Task[RenderResult] | None = None

        self._live = LiveRender(self._runner, self._make_request, self)
        self._connect()

        self.show_format(self._format)
        self.show_mode(self._mode)
        if fill_default:
            self.body_editor.set_text(default_body(self._topic, self._format))
            self.event_editor.set_text(self._topic.example_text())
            self._refresh_now()

    def _connect(self) -> None:
        self.template_button.toggled.connect(self._on_mode_toggled)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.body_editor.text_edited.connect(self._on_text_edited)
        self.event_editor.text_edited.connect(self._on_text_edited)
        self.reset_event_button.clicked.connect(self.reset_event)
        self.problem_list.problem_activated.connect(self.show_problem)
        self._live.finished.connect(self._on_render_finished)
        self._live.started.connect(self._on_render_slow)

    def _fields_panel_built(self, panel: "FieldsPanel") -> None:
        panel.insert_requested.connect(self._on_insert_requested)
        if self._event is not None:
            panel.set_event(self._event)

    def retranslate_ui(self) -> None:
        """Set every user-visible string again, in the current language."""
        super().retranslate_ui()
        self.show_mode(self._mode)
        self.show_event_origin(bool(self.event_text()), self._topic.title)
        self.show_problems(self._problems)
        if self._last_result is not None:
            self._show_status(self._last_result, self._mode)

    # The window's API.

    def body_mode(self) -> BodyMode:
        return self._mode

    def body_format(self) -> BodyFormat:
        return self._format

    def topic(self) -> Topic:
        return self._topic

    def body_text(self) -> str:
        """Return the body editor's text: the template, or the raw body."""
        return self.body_editor.toPlainText()

    def event_text(self) -> str:
        """Return the event data text, or "" while it is the topic's example event.

        White space at the ends does not count as an edit.
        """
        text = self.event_editor.toPlainText()
        if text.strip() == self._topic.example_text().strip():
            return ""
        return text

    def event_data(self) -> dict[str, Any]:
        """Return the event data parsed, or raise FormatError with its line and column.

        It is not called `event`, which would override QWidget.event.
        """
        self._parse_event()
        if self._event is None:
            assert self._event_problem is not None
            raise FormatError(self._event_problem)
        return self._event

    def problems(self) -> list[DesignerProblem]:
        """Return the problems the list shows now."""
        return list(self._problems)

    def is_rendering(self) -> bool:
        """True while a preview render runs or waits for typing to pause."""
        return self._live.is_busy()

    def last_result(self) -> RenderResult | None:
        """Return the render the preview shows, or None before the first one."""
        return self._last_result

    def set_topic(self, topic: Topic) -> None:
        """Follow the user's choice of another topic.

        The event data becomes the new topic's example event. In Raw mode the
        body becomes that event in the current format. Each replacement is one
        undo step. A template is kept, because it reads the new event data.
        """
        self._topic = topic
        self._shown_event_text = None
        self._replace_undoably(self.event_editor, topic.example_text())
        if self._mode is BodyMode.RAW:
            self._replace_undoably(self.body_editor, default_body(topic, self._format))
        self._refresh_now()

    def use_event(self, topic: Topic, event_text: str) -> None:
        """Make `event_text` the event data of `topic` and the body a template.

        The event data is replaced as one undo step. In Raw mode, an untouched
        body (the old topic's example) becomes the default template, as the
        Template button makes it, and a body the user typed is kept as the
        template text.
        """
        # Switched first, so that the body is compared with the old topic's
        # example and event data.
        self.set_body_mode(BodyMode.TEMPLATE)
        self._topic = topic
        self._shown_event_text = None
        self._replace_undoably(self.event_editor, event_text)
        self._refresh_now()

    def format_switch_plan(self, new_format: BodyFormat) -> FormatSwitchPlan:
        """Return what `set_format(new_format)` would do, changing nothing.

        When `plan.needs_answer` is True, the window lets the user choose between
        `plan.replacement` and the current text, and passes the choice to
        `set_format`.
        """
        try:
            event: dict[str, Any] | None = self.event_data()
        except FormatError:
            event = None
        return plan_format_switch(
            self._mode,
            self.body_text(),
            self._format,
            new_format,
            event,
            default_body(self._topic, new_format),
        )

    def set_format(
        self, body_format: BodyFormat, *, replace: bool = True
    ) -> FormatSwitchPlan:
        """Switch the body format, and return the plan that was carried out.

        A default template is regenerated and a well-formed raw body converted,
        as one undo step each. When the plan needs the user's choice, `replace`
        selects `plan.replacement` (True) or the current text (False).
        """
        plan = self.format_switch_plan(body_format)
        self._format = body_format
        if plan.replacement is not None and (replace or not plan.needs_answer):
            self._replace_undoably(self.body_editor, plan.replacement)
        self.show_format(body_format)
        self._refresh_now()
        return plan

    def set_webhook_body(self, mode: BodyMode, body: str, event_text: str) -> None:
        """Load a saved body, for the current topic and format.

        `event_text` "" means the topic's example event. The texts replace the
        old ones with no undo history, as when a webhook is opened.
        """
        self._mode = mode
        self.show_mode(mode)
        self.mode_changed.emit(mode)
        self.preview.show_text("")
        self.body_editor.set_text(body)
        self.event_editor.set_text(event_text or self._topic.example_text())
        # set_text cleared the event editor's marks, so they are set again.
        self._shown_event_text = None
        self._body_problems = []
        self._refresh_now()

    def load_webhook(self, webhook: Webhook) -> None:
        """Load a webhook's topic, format, body mode, body and event data.

        Raise UnknownTopicError (a LookupError) for a topic key not in the
        catalogue.
        """
        self._topic = find_topic(webhook.topic_key)
        self._shown_event_text = None
        self._format = webhook.body_format
        self.show_format(self._format)
        self.set_webhook_body(webhook.body_mode, webhook.body, webhook.event_text)

    def apply_to_webhook(self, webhook: Webhook) -> Webhook:
        """Return `webhook` with this designer's body mode, body and event data."""
        return webhook.with_changes(
            body_mode=self._mode,
            body=self.body_text(),
            event_text=self.event_text(),
        )

    def set_body_mode(self, mode: BodyMode) -> None:
        """Switch between Raw and Template as the mode buttons do, as a user edit."""
        button = self.template_button if mode is BodyMode.TEMPLATE else self.raw_button
        button.setChecked(True)

    async def render_for_send(self) -> RenderResult:
        """Render the current texts now, for Send Test.

        The result's text is the body to send, encoded as UTF-8, or None when
        the template failed (refuse to send). A MALFORMED_BODY problem with a
        text means the body is not well formed (ask before sending). In Raw
        mode the text is the body as typed.
        """
        return await run_request(self._runner, self._make_request())

    async def copy_rendered_body(self) -> RenderResult:
        """Render now and put the body on the clipboard, exactly as it would be sent.

        Nothing is copied when the template failed to render, and the problems of
        the returned result give the reason.
        """
        result = await self.render_for_send()
        if result.text is None:
            problem = result.problems[0] if result.problems else None
            message = self.tr("Nothing copied: the body did not render (%1).")
            message = message.replace("%1", problem.message if problem else "")
            self.preview.set_status(message, PROBLEM_COLOUR)
            self.status_message.emit(message)
            return result

        QGuiApplication.clipboard().setText(result.text)
        size = format_size(len(result.text.encode("utf-8")))
        message, colour = self._copied_message(result)
        message = message.replace("%1", size)
        self.preview.set_status(message, colour)
        self.status_message.emit(message)
        return result

    def _copied_message(self, result: RenderResult) -> tuple[str, str]:
        """Return the status after copying a rendered body, with %1 for its size."""
        if not result.problems:
            return self.tr("Copied %1 to the clipboard."), OK_COLOUR

        # A body over a parser limit may be well formed, so it is "not checked".
        limit = result.problems[0].limit
        if limit is ParserLimit.DEPTH:
            message = self.tr(
                "Copied %1 to the clipboard; its %2 is nested too deeply for "
                "Hook Studio to check."
            )
            colour = NEUTRAL_COLOUR
        elif limit is ParserLimit.SIZE:
            message = self.tr(
                "Copied %1 to the clipboard; its %2 is too large for Hook Studio "
                "to check."
            )
            colour = NEUTRAL_COLOUR
        else:
            message = self.tr("Copied %1 to the clipboard; it is not well-formed %2.")
            colour = PROBLEM_COLOUR
        return message.replace("%2", self._format.value.upper()), colour

    def reset_event(self) -> None:
        """Restore the topic's example event as one undo step, as a user edit."""
        example = self._topic.example_text()
        if self.event_editor.toPlainText() == example:
            return
        self._replace_undoably(self.event_editor, example)
        self._refresh_now()
        self.changed.emit()

    async def aclose(self) -> None:
        """Cancel renders in flight, and stop the worker processes the designer owns."""
        await self._live.aclose()
        task, self._copy_task = self._copy_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._owns_runner:
            await self._runner.aclose()

    # Edits and rendering.

    def _on_text_edited(self) -> None:
        self._revision += 1
        self._live.schedule()
        self.changed.emit()

    def _on_mode_toggled(self, _checked: bool) -> None:
        mode = BodyMode.TEMPLATE if self.template_button.isChecked() else BodyMode.RAW
        if mode is self._mode:
            return
        self._convert_text_for_mode(mode)
        self._mode = mode
        # The preview showed the other mode's body, which is not a render of
        # this one.
        self.preview.show_text("")
        self.show_mode(mode)
        self._body_problems = []
        self._refresh_now()
        self.mode_changed.emit(mode)
        self.changed.emit()

    def _convert_text_for_mode(self, mode: BodyMode) -> None:
        """Swap an untouched body for its equivalent in the other mode.

        The event in the current format becomes the default template, and the
        default template becomes the event it renders to. Any other text is kept.
        """
        text = self.body_text()
        try:
            event: dict[str, Any] | None = self.event_data()
        except FormatError:
            event = None

        if mode is BodyMode.TEMPLATE:
            examples = {default_body(self._topic, self._format).strip()}
            if event is not None:
                examples.add(render_event(event, self._format).strip())
            if text.strip() in examples:
                self._replace_undoably(self.body_editor, default_template(self._format))
        elif event is not None and is_default_template(text, self._format):
            self._replace_undoably(self.body_editor, render_event(event, self._format))

    def _on_insert_requested(self, expression: str) -> None:
        if self._mode is not BodyMode.TEMPLATE:
            return
        self.tabs.setCurrentIndex(BODY_TAB)
        self.body_editor.insert_placeholder(expression)
        self.body_editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_copy_clicked(self) -> None:
        if self._copy_task is not None and not self._copy_task.done():
            return
        self._copy_task = asyncio.ensure_future(self.copy_rendered_body())
        self._copy_task.add_done_callback(report_task_failure)

    def _replace_undoably(self, editor: CodeEditor, text: str) -> None:
        # Texts written here come from parsed documents: the example event, a
        # conversion or a rendered event, so U+2029 can be escaped. During a
        # format switch the body editor's language is still the old format.
        language = "json" if editor is self.event_editor else self._format.value
        text = escape_paragraph_separators(text, language)
        if editor.toPlainText() != text:
            editor.replace_text_undoably(text)
            self._revision += 1

    def _refresh_now(self) -> None:
        self._revision += 1
        self._refresh_event()
        self._live.render_now()

    def _make_request(self) -> RenderRequest:
        self._refresh_event()
        return RenderRequest(
            revision=self._revision,
            mode=self._mode,
            text=self.body_text(),
            body_format=self._format,
            topic=self._topic,
            event=self._event,
            event_problem=self._event_problem,
        )

    def _refresh_event(self) -> None:
        """Parse the event data if it changed, and update what depends on it."""
        self._parse_event()
        if self._parsed_text == self._shown_event_text:
            return
        self._shown_event_text = self._parsed_text
        problem = self._event_problem
        self.event_editor.set_problems([] if problem is None else [problem])
        if self._event is not None:
            if self._fields_panel is not None:
                self._fields_panel.set_event(self._event)
            self.body_editor.set_completion_event(self._event, self._topic)
        self.show_event_origin(bool(self.event_text()), self._topic.title)
        self._publish_problems()

    def _parse_event(self) -> None:
        # NOTE: the event data is parsed on the GUI thread, which is quick for
        # BrainCert's events (a few KB) but would stall on megabytes of JSON.
        text = self.event_editor.toPlainText()
        if text == self._parsed_text:
            return
        self._parsed_text = text
        try:
            self._event = parse_event(text)
            self._event_problem = None
        except FormatError as error:
            self._event = None
            self._event_problem = error.problem

    def _on_render_slow(self) -> None:
        self.preview.set_status(self.tr("Rendering…"), NEUTRAL_COLOUR)

    def _on_render_finished(self, request: RenderRequest, result: RenderResult) -> None:
        self._last_result = result
        problems = [DesignerProblem.from_template(item) for item in result.problems]
        warnings = [
            DesignerProblem.from_template(item, warning=True)
            for item in result.warnings
        ]
        if request.mode is BodyMode.RAW:
            # A raw body is its own preview: its problems belong in the body editor.
            problems = [_on_site(item, ProblemSite.BODY) for item in problems]
        elif request.event is None:
            # The event data problem is listed from the event editor already.
            problems = []
        self._body_problems = problems + warnings

        self.body_editor.set_problems(self._marks(ProblemSite.BODY, problems))
        if result.text is not None:
            self.preview.show_text(result.text)
        self.preview.editor.set_problems(self._marks(ProblemSite.RENDERED, problems))
        self._show_status(result, request.mode)
        self._publish_problems()
        self.preview_updated.emit(result)

    @staticmethod
    def _marks(site: ProblemSite, problems: list[DesignerProblem]) -> list[Any]:
        return [
            problem
            for problem in problems
            if problem.site is site and problem.line is not None
        ]

    def _publish_problems(self) -> None:
        listed: list[DesignerProblem] = []
        if self._event_problem is not None and self._mode is BodyMode.TEMPLATE:
            listed.append(_event_problem(self._event_problem))
        listed.extend(self._body_problems)
        if listed == self._problems:
            return
        self._problems = listed
        self.show_problems(listed)
        self.problems_changed.emit(list(listed))

    def _show_status(self, result: RenderResult, mode: BodyMode) -> None:
        text, colour = render_status(
            result,
            mode,
            self._format,
            preview_has_text=not self.preview.editor.document().isEmpty(),
        )
        self.preview.set_status(text, colour)


def _event_problem(problem: FormatProblem) -> DesignerProblem:
    return DesignerProblem(
        ProblemSite.EVENT,
        EVENT_DATA_KIND,
        problem.message,
        problem.line,
        problem.column,
    )


def _on_site(problem: DesignerProblem, site: ProblemSite) -> DesignerProblem:
    return DesignerProblem(
        site,
        problem.kind,
        problem.message,
        problem.line,
        problem.column,
        problem.warning,
        problem.unchecked,
    )
