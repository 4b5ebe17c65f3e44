"""The Inbox panel on a real receiver: the list, the detail view and its actions."""

import asyncio
import base64
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from bchook_studio.core.formats import json_text_to_xml_text
from bchook_studio.core.receiver import Fault, ReceiverLimits, ResponseRule
from bchook_studio.core.topics import example_text
from bchook_studio.gui.inbox import InboxPanel, ResendDialog
from bchook_studio.gui.inbox.model import NO_STATUS, Column
from tests.gui.conftest import run_in_loop
from tests.gui.inbox_support import (
    WAIT_MS,
    close_controller,
    close_panel,
    open_panel,
    recorder,
    send,
    show_newest,
    start_controller,
    wait_for_rows,
)


@pytest.fixture
def panel(qtbot, qloop):
    receiver_controller = start_controller(qtbot)
    widget = open_panel(qtbot, receiver_controller)
    yield widget
    close_panel(qtbot, widget)
    close_controller(qtbot, receiver_controller)


def _cell(panel: InboxPanel, row: int, column: Column) -> str:
    return panel.model.index(row, column).data()


async def _send_raw(base_url: str, data: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(data)
        await writer.drain()
        return await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()
        await writer.wait_closed()


def _basic(username: str, password: str, charset: str) -> str:
    pair = f"{username}:{password}".encode(charset)
    return "Basic " + base64.b64encode(pair).decode("ascii")


# The list.


def test_request_keeps_sent_bytes(qtbot, panel):
    body = '{"name": "Zoë", "note": "line 1\r\nline 2"}'.encode()
    url = panel.controller.base_url + "/webhook"
    send(qtbot, "POST", url, content=body, headers={"Content-Type": "text/plain"})
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert panel.model.request_at(0).body == body
    assert panel.detail.raw_view.text().endswith(body.decode())


def test_row_shows_columns(qtbot, panel):
    url = panel.controller.base_url + "/webhook?source=lms"
    headers = {"Content-Type": "application/json; charset=utf-8"}
    send(qtbot, "PUT", url, content=b"{}", headers=headers)
    wait_for_rows(qtbot, panel, 1)
    assert _cell(panel, 0, Column.METHOD) == "PUT"
    assert _cell(panel, 0, Column.PATH) == "/webhook?source=lms"
    assert _cell(panel, 0, Column.CONTENT_TYPE) == "application/json; charset=utf-8"
    assert _cell(panel, 0, Column.SIZE) == "2 B"
    assert _cell(panel, 0, Column.STATUS) == "200 OK"
    assert len(_cell(panel, 0, Column.TIME)) == len("12:34:56.789")


def test_newest_request_first(qtbot, panel):
    for path in ("/first", "/second", "/third"):
        send(qtbot, "POST", panel.controller.base_url + path)
    wait_for_rows(qtbot, panel, 3)
    paths = [_cell(panel, row, Column.PATH) for row in range(3)]
    assert paths == ["/third", "/second", "/first"]


def test_hang_shows_no_status(qtbot, panel):
    panel.controller.set_rules((ResponseRule(fault=Fault.HANG),))

    async def post_and_give_up() -> None:
        import httpx

        async with httpx.AsyncClient(trust_env=False, timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(panel.controller.base_url + "/hook", content=b"x")

    run_in_loop(qtbot, post_and_give_up())
    wait_for_rows(qtbot, panel, 1)
    assert _cell(panel, 0, Column.STATUS) == NO_STATUS


def test_status_cleared_when_client_gives_up(qtbot, panel):
    panel.controller.set_rules((ResponseRule(delay_ms=500),))

    async def post_and_give_up():
        import httpx

        async with httpx.AsyncClient(trust_env=False) as client:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(
                    client.post(panel.controller.base_url + "/hook", content=b"x"),
                    0.2,
                )

    run_in_loop(qtbot, post_and_give_up())
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)

    qtbot.waitUntil(
        lambda: _cell(panel, 0, Column.STATUS) == NO_STATUS, timeout=WAIT_MS
    )
    assert panel.detail.request.status is None


def test_status_coloured_by_class(qtbot, panel):
    panel.controller.set_rules(
        (ResponseRule(path_prefix="/down", status=503), ResponseRule())
    )
    send(qtbot, "POST", panel.controller.base_url + "/ok")
    send(qtbot, "POST", panel.controller.base_url + "/down")
    wait_for_rows(qtbot, panel, 2)
    foreground = Qt.ItemDataRole.ForegroundRole
    down = panel.model.index(0, Column.STATUS).data(foreground)
    ok = panel.model.index(1, Column.STATUS).data(foreground)
    assert down.name() == "#b02a37"
    assert ok.name() == "#1e7e34"


def test_dropped_indicator(qtbot, qloop):
    receiver_controller = start_controller(qtbot, ReceiverLimits(max_kept_requests=3))
    widget = open_panel(qtbot, receiver_controller)
    try:
        assert not widget.dropped_label.isVisible()
        for _ in range(5):
            send(qtbot, "POST", receiver_controller.base_url + "/")
        qtbot.waitUntil(
            lambda: widget.dropped_label.text() == "2 dropped", timeout=WAIT_MS
        )
        wait_for_rows(qtbot, widget, 3)
        # The toolbar shows the label when it next lays itself out.
        qtbot.waitUntil(widget.dropped_label.isVisible, timeout=WAIT_MS)
        assert "3 requests" in widget.dropped_label.toolTip()
    finally:
        close_panel(qtbot, widget)
        close_controller(qtbot, receiver_controller)


def test_dropped_selection_cleared_with_notice(qtbot, qloop):
    receiver_controller = start_controller(qtbot, ReceiverLimits(max_kept_requests=3))
    widget = open_panel(qtbot, receiver_controller)
    try:
        send(qtbot, "POST", receiver_controller.base_url + "/first")
        wait_for_rows(qtbot, widget, 1)
        show_newest(qtbot, widget)
        first_id = widget.detail.request.id
        for _ in range(3):
            send(qtbot, "POST", receiver_controller.base_url + "/later")
        qtbot.waitUntil(lambda: widget.detail.request is None, timeout=WAIT_MS)

        selected = widget.table.selectionModel().selectedRows()
        placeholder = widget.detail._placeholder.text()
    finally:
        close_panel(qtbot, widget)
        close_controller(qtbot, receiver_controller)

    assert selected == []
    assert placeholder == (
        f"Request {first_id} was dropped to keep the Inbox within its limits. "
        "Select another request."
    )


def test_clear_empties_list_and_detail(qtbot, panel):
    send(qtbot, "POST", panel.controller.base_url + "/", content=b"a")
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    panel.clear_action.trigger()
    assert panel.model.rowCount() == 0
    assert panel.detail.request is None
    assert panel.count_label.text() == "0 requests"


def test_stop_then_start_from_toolbar(qtbot, panel):
    panel.set_start_options(port=0)
    with qtbot.waitSignal(panel.controller.stopped, timeout=WAIT_MS):
        panel.start_action.trigger()
    assert panel.address_label.text() == "Receiver stopped"
    assert panel.start_action.text() == "Start"
    with qtbot.waitSignal(panel.controller.started, timeout=WAIT_MS):
        panel.start_action.trigger()
    assert panel.address_label.text() == panel.controller.base_url + "/"
    assert panel.start_action.text() == "Stop"


def test_copy_address(qtbot, panel):
    panel.copy_address_action.trigger()
    clipboard = QGuiApplication.clipboard().text()
    assert clipboard == panel.controller.base_url + "/"
    assert clipboard.startswith("http://127.0.0.1:")


def test_start_error_shown_in_banner(qtbot, panel):
    run_in_loop(qtbot, panel.controller.stop())
    panel.set_start_options(port=0, host="192.0.2.1")
    with qtbot.waitSignal(panel.controller.error, timeout=WAIT_MS):
        panel.start_action.trigger()
    assert panel.banner_kind() == "error"
    assert "192.0.2.1" in panel.banner_label.text()


# The detail view.


def test_xml_body_raw_view_exact(qtbot, panel):
    body = b"<hello>world</hello>"
    url = panel.controller.base_url + "/webhook"
    send(qtbot, "POST", url, content=body, headers={"Content-Type": "text/xml"})
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    raw = panel.detail.raw_view.text()
    assert raw.endswith("\n\n<hello>world</hello>")
    assert raw.count("<hello>world</hello>") == 1
    assert "<hello>world</hello>" in panel.detail.body_view.text()


@pytest.mark.parametrize(
    ("content_type", "language"),
    [
        ("application/json; charset=utf-8", "json"),
        ("application/vnd.example+json", "json"),
        ("text/xml", "xml"),
        ("application/atom+xml", "xml"),
        ("text/plain", "text"),
    ],
)
def test_body_language_from_content_type(qtbot, panel, content_type, language):
    body = b"<a>1</a>" if language == "xml" else b'{"a": 1}'
    url = panel.controller.base_url + "/"
    send(qtbot, "POST", url, content=body, headers={"Content-Type": content_type})
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert panel.detail.body_view.language() == language


def test_json_body_pretty_printed(qtbot, panel):
    url = panel.controller.base_url + "/"
    send(
        qtbot,
        "POST",
        url,
        content=b'{"a":1,"b":[2]}',
        headers={"Content-Type": "application/json"},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert panel.detail.body_view.text() == '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n'
    assert panel.detail.raw_view.text().endswith('\n\n{"a":1,"b":[2]}')


def test_markup_in_path_stays_plain_text(qtbot, panel):
    data = b"POST /<b>bold</b> HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    run_in_loop(qtbot, _send_raw(panel.controller.base_url, data))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert "/<b>bold</b>" in panel.detail.summary_label.text()
    labels = panel.findChildren(QLabel)
    rich = [
        label.text()
        for label in labels
        if label.textFormat() != Qt.TextFormat.PlainText
    ]
    assert rich == []


def test_headers_table_keeps_order_and_repeats(qtbot, panel):
    data = (
        b"POST /h HTTP/1.1\r\nHost: x\r\nX-Tag: one\r\nContent-Length: 0\r\n"
        b"X-Tag: two\r\n\r\n"
    )
    run_in_loop(qtbot, _send_raw(panel.controller.base_url, data))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    table = panel.detail.headers_table
    rows = [
        (table.item(row, 0).text(), table.item(row, 1).text())
        for row in range(table.rowCount())
    ]
    assert rows == [
        ("Host", "x"),
        ("X-Tag", "one"),
        ("Content-Length", "0"),
        ("X-Tag", "two"),
    ]


def test_utf8_credentials_masked_until_show(qtbot, panel):
    url = panel.controller.base_url + "/"
    send(qtbot, "POST", url, auth=("zoë", "pässwörd"))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    row = panel.detail.credentials_row
    assert row.isVisible()
    assert row.username_label.text() == "Username: zoë"
    assert row.password_label.text() == "Password: ********"
    assert "UTF-8" in row.charset_label.text()
    assert "pässwörd" not in panel.detail.raw_view.text()
    assert "Authorization: Basic ********" in panel.detail.raw_view.text()

    row.show_button.click()
    assert row.password_label.text() == "Password: pässwörd"
    header = _basic("zoë", "pässwörd", "utf-8")
    assert f"Authorization: {header}" in panel.detail.raw_view.text()


def test_latin1_credentials_named(qtbot, panel):
    header = _basic("josé", "mañana", "latin-1")
    send(
        qtbot,
        "POST",
        panel.controller.base_url + "/",
        headers={"Authorization": header},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    row = panel.detail.credentials_row
    assert row.username_label.text() == "Username: josé"
    assert row.password_label.text() == "Password: ********"
    assert "latin-1" in row.charset_label.text()
    row.show_button.click()
    assert row.password_label.text() == "Password: mañana"


def test_new_request_masks_again(qtbot, panel):
    url = panel.controller.base_url + "/"
    send(qtbot, "POST", url, auth=("ann", "first"))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    panel.detail.credentials_row.show_button.click()
    send(qtbot, "POST", url, auth=("bob", "second"))
    wait_for_rows(qtbot, panel, 2)
    show_newest(qtbot, panel)
    assert panel.detail.credentials_row.password_label.text() == "Password: ********"


def test_no_credentials_hides_row(qtbot, panel):
    send(qtbot, "POST", panel.controller.base_url + "/")
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert not panel.detail.credentials_row.isVisible()


# Actions.


def test_copy_as_curl_masks_password(qtbot, panel):
    url = panel.controller.base_url + "/webhook"
    send(qtbot, "POST", url, content=b'{"a": 1}', auth=("alice", "s3cret"))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    panel.detail.copy_curl()
    command = QGuiApplication.clipboard().text()
    assert command.startswith("curl ")
    assert "--data-binary '{\"a\": 1}'" in command
    assert "-u 'alice:********'" in command
    assert "s3cret" not in command
    assert f"'{url}'" in command


def test_copy_as_curl_with_secrets(qtbot, panel):
    url = panel.controller.base_url + "/webhook"
    send(qtbot, "POST", url, content=b"{}", auth=("alice", "s3cret"))
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    panel.detail.copy_curl(show_secrets=True)
    assert "-u 'alice:s3cret'" in QGuiApplication.clipboard().text()


def test_use_body_as_event_course_enrollment(qtbot, panel):
    text = example_text("course.enrollment")
    url = panel.controller.base_url + "/webhook"
    send(
        qtbot,
        "POST",
        url,
        content=text.encode(),
        headers={"Content-Type": "application/json"},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert panel.detail.event_button.isEnabled()
    with qtbot.waitSignal(panel.use_as_event_requested, timeout=WAIT_MS) as blocker:
        panel.detail.event_button.click()
    topic_key, event_text = blocker.args
    assert topic_key == "course.enrollment"
    assert json.loads(event_text) == json.loads(text)


def test_use_xml_body_as_event(qtbot, panel):
    xml = json_text_to_xml_text(example_text("course.enrollment"))
    url = panel.controller.base_url + "/webhook"
    send(
        qtbot,
        "POST",
        url,
        content=xml.encode(),
        headers={"Content-Type": "application/xml"},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    with qtbot.waitSignal(panel.use_as_event_requested, timeout=WAIT_MS) as blocker:
        panel.detail.event_button.click()
    assert blocker.args[0] == "course.enrollment"
    assert json.loads(blocker.args[1]) == json.loads(example_text("course.enrollment"))


def test_use_body_no_topic_reason(qtbot, panel):
    url = panel.controller.base_url + "/"
    send(
        qtbot,
        "POST",
        url,
        content=b"[1, 2]",
        headers={"Content-Type": "application/json"},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    assert "array" in panel.detail.event_button.toolTip()

    panel.detail.event_button.click()

    message = panel.detail._action_message.text()
    assert message.startswith("The body cannot be used as event data. ")
    assert "array" in message


def test_use_body_over_event_cap_refused(qtbot, panel):
    event = json.loads(example_text("course.enrollment"))
    event["padding"] = "p" * (1024 * 1024)
    send(
        qtbot,
        "POST",
        panel.controller.base_url + "/webhook",
        content=json.dumps(event).encode(),
        headers={"Content-Type": "application/json"},
    )
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    emitted = []
    panel.use_as_event_requested.connect(lambda *args: emitted.append(args))

    panel.detail.event_button.click()

    message = panel.detail.action_message_label.text()
    assert emitted == []
    assert message.startswith(
        "The body cannot be used as event data: it is 1,049,122 bytes"
    )
    assert message.endswith(
        "event data can be up to 1,048,576 bytes. Save body… keeps it in a file."
    )


def test_resend_emits_request(qtbot, panel):
    send(qtbot, "POST", panel.controller.base_url + "/again", content=b"x")
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)
    requests, record = recorder()
    panel.resend_requested.connect(record)
    panel.detail._resend_button.click()
    assert [request.target for request in requests] == ["/again"]


def test_resend_dialog_checks_url(qtbot):
    dialog = ResendDialog()
    qtbot.addWidget(dialog)
    urls, record = recorder()
    dialog.url_accepted.connect(record)
    dialog.url_field.setText("ftp://example.com/x")
    assert "ftp" in dialog.problem_label.text()
    assert not dialog.isModal()
    dialog.url_field.setText(" receiver:/webhook ")
    assert dialog.problem() is None
    dialog.url_field.setText("http://127.0.0.1:9/hook")
    dialog._buttons.accepted.emit()
    assert urls == ["http://127.0.0.1:9/hook"]


def test_resend_dialog_empty_url_hint(qtbot):
    dialog = ResendDialog()
    qtbot.addWidget(dialog)
    send = dialog._buttons.button(QDialogButtonBox.StandardButton.Ok)

    assert not send.isEnabled()
    assert "Enter an http:// or https:// URL" in dialog.problem_label.text()

    dialog.url_field.setText("http://127.0.0.1:9/hook")

    assert send.isEnabled()
    assert dialog.problem_label.text() == ""


def test_removed_request_clears_detail(qtbot, qloop):
    receiver_controller = start_controller(qtbot, ReceiverLimits(max_kept_requests=1))
    widget = open_panel(qtbot, receiver_controller)
    try:
        send(qtbot, "POST", receiver_controller.base_url + "/old")
        wait_for_rows(qtbot, widget, 1)
        show_newest(qtbot, widget)
        send(qtbot, "POST", receiver_controller.base_url + "/new")
        qtbot.waitUntil(
            lambda: _cell(widget, 0, Column.PATH) == "/new", timeout=WAIT_MS
        )
        assert widget.model.rowCount() == 1
        assert widget.detail.request is None
    finally:
        close_panel(qtbot, widget)
        close_controller(qtbot, receiver_controller)


def test_large_body_prepared_in_worker(qtbot, qloop):
    from bchook_studio.core.body_preparation import INLINE_LIMIT
    from bchook_studio.core.workers import WorkerPool
    from bchook_studio.gui.inbox.detail import RequestDetail

    pool = WorkerPool()
    receiver_controller = start_controller(qtbot)
    detail = RequestDetail(pool=pool)
    qtbot.addWidget(detail)
    detail.show()
    try:
        items = [{"id": number, "name": "Zoë"} for number in range(20_000)]
        body = json.dumps({"items": items}, separators=(",", ":")).encode()
        assert len(body) > INLINE_LIMIT
        url = receiver_controller.base_url + "/big"
        headers = {"Content-Type": "application/json"}
        send(qtbot, "POST", url, content=body, headers=headers)
        qtbot.waitUntil(lambda: len(receiver_controller.requests()) == 1)
        request = receiver_controller.requests()[0]

        with qtbot.waitSignal(detail.body_shown, timeout=60_000):
            detail.show_request(request)
            assert "Preparing" in detail.body_message_label.text()
        assert detail.body_view.text().startswith('{\n  "items": [\n')
        assert detail.raw_view.text().endswith(body.decode())
        # The worker's result arrived: the button names why no topic matches.
        assert detail.event_button.toolTip() not in ("", "Reading the body…")
        assert not detail.event_button.toolTip().startswith("Open the body")
    finally:
        run_in_loop(qtbot, detail.aclose())
        close_controller(qtbot, receiver_controller)
        pool.shutdown()


def test_status_shows_phrase_sent(qtbot, panel):
    panel.controller.set_rules((ResponseRule(status=413),))
    request = b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    head = run_in_loop(qtbot, _send_raw(panel.controller.base_url, request))
    wait_for_rows(qtbot, panel, 1)

    text = _cell(panel, 0, Column.STATUS)
    font = panel.model.index(0, Column.STATUS).data(Qt.ItemDataRole.FontRole)
    needed = QFontMetrics(font).horizontalAdvance(text)
    assert head.startswith(b"HTTP/1.1 413 Content Too Large\r\n")
    assert text == "413 Content Too Large"
    assert panel.table.columnWidth(Column.STATUS) > needed


def test_status_column_fits_500(qtbot, panel):
    bold = QFont(panel.table.font())
    bold.setWeight(QFont.Weight.DemiBold)
    needed = QFontMetrics(bold).horizontalAdvance("500 Internal Server Error")
    assert panel.table.columnWidth(Column.STATUS) > needed


# Bodies the receiver did not keep.

SMALL_BODY_LIMIT = 1024


@pytest.fixture
def small_panel(qtbot, qloop):
    limits = ReceiverLimits(max_body=SMALL_BODY_LIMIT)
    receiver_controller = start_controller(qtbot, limits)
    widget = open_panel(qtbot, receiver_controller)
    yield widget
    close_panel(qtbot, widget)
    close_controller(qtbot, receiver_controller)


async def _send_and_close(base_url: str, data: bytes) -> None:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    _reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


def _send_oversized(qtbot, panel: InboxPanel) -> None:
    """POST 1229 bytes (1.2 KiB) with Content-Length to a 1 KiB receiver."""
    url = panel.controller.base_url + "/webhook"
    response = send(qtbot, "POST", url, content=b"x" * 1229)
    assert response.status_code == 413
    wait_for_rows(qtbot, panel, 1)
    show_newest(qtbot, panel)


def test_oversized_size_shows_declared(qtbot, small_panel):
    _send_oversized(qtbot, small_panel)
    assert _cell(small_panel, 0, Column.SIZE) == "— (1.2 KiB)"
    tooltip = small_panel.model.index(0, Column.SIZE).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Content-Length declared 1,229 bytes, and the receiver read 0."


def test_oversized_detail_not_kept(qtbot, small_panel):
    _send_oversized(qtbot, small_panel)
    message = small_panel.detail.body_message_label
    assert message.isVisible()
    assert message.text() == (
        "The body was not kept. Content-Length declared 1.2 KiB, which is over "
        "the receiver's limit of 1 KiB, so the receiver rejected the request with "
        "413 Content Too Large."
    )


def test_response_row_under_buttons(qtbot, small_panel):
    _send_oversized(qtbot, small_panel)
    detail = small_panel.detail
    label = detail.response_label
    button = detail.event_button
    label_top = label.mapTo(detail, label.rect().topLeft()).y()
    button_bottom = button.mapTo(detail, button.rect().bottomLeft()).y()
    assert "Rejected by the receiver: the request body" in label.text()
    assert label.wordWrap()
    assert label_top > button_bottom
    assert label.width() > detail.width() * 0.9
    assert label.height() >= label.heightForWidth(label.width())


def test_just_over_limit_gives_bytes(qtbot, small_panel):
    url = small_panel.controller.base_url + "/webhook"
    response = send(qtbot, "POST", url, content=b"x" * (SMALL_BODY_LIMIT + 13))
    assert response.status_code == 413
    wait_for_rows(qtbot, small_panel, 1)
    show_newest(qtbot, small_panel)

    assert small_panel.detail.body_message_label.text() == (
        "The body was not kept. Content-Length declared 1,037 bytes, which is over "
        "the receiver's limit of 1,024 bytes, so the receiver rejected the request "
        "with 413 Content Too Large."
    )


def test_chunked_over_limit_not_read(qtbot, small_panel):
    # The chunk size line announces 2000 bytes, so the receiver responds
    # before any of the chunk arrives.
    head = (
        b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n"
    )
    base_url = small_panel.controller.base_url
    response_head = run_in_loop(qtbot, _send_raw(base_url, head))
    wait_for_rows(qtbot, small_panel, 1)
    show_newest(qtbot, small_panel)
    assert response_head.startswith(b"HTTP/1.1 413 ")
    assert _cell(small_panel, 0, Column.SIZE) == "—"
    assert small_panel.detail.body_message_label.text() == (
        "The body was not kept. It is over the receiver's limit of 1 KiB, so the "
        "receiver rejected the request with 413 Content Too Large."
    )


def test_partial_body_shows_both_sizes(qtbot, small_panel):
    data = b"POST /part HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    data += b"y" * 400
    run_in_loop(qtbot, _send_and_close(small_panel.controller.base_url, data))
    wait_for_rows(qtbot, small_panel, 1)
    show_newest(qtbot, small_panel)
    response_text = small_panel.detail.response_label.text()
    assert _cell(small_panel, 0, Column.SIZE) == "400 B (1000 B)"
    assert response_text.endswith(
        "Only 400 B of the 1000 B that Content-Length declared arrived."
    )
    assert small_panel.detail.body_view.text() == "y" * 400


def test_empty_body_message(qtbot, small_panel):
    send(qtbot, "GET", small_panel.controller.base_url + "/empty")
    wait_for_rows(qtbot, small_panel, 1)
    show_newest(qtbot, small_panel)
    assert _cell(small_panel, 0, Column.SIZE) == "0 B"
    text = small_panel.detail.body_message_label.text()
    assert text == "The request has no body."


def test_copy_message_keeps_splitter(qtbot, small_panel):
    _send_oversized(qtbot, small_panel)
    qtbot.wait(50)
    sizes = small_panel.splitter.sizes()
    small_panel.detail.copy_curl()
    qtbot.wait(50)
    message = small_panel.detail.action_message_label
    assert message.isVisible()
    assert message.wordWrap()
    assert small_panel.splitter.sizes() == sizes
