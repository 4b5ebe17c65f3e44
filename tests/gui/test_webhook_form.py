"""The webhook form gives back the webhook it shows, with the user's edits."""

from PySide6.QtCore import Qt

from bchook_studio.core.webhook import HeaderRow, Webhook
from bchook_studio.gui.webhook_form import WebhookForm


def test_secret_query_parameters_shown(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)

    form.set_webhook(Webhook(secret_query_parameters=("hmac", "tenant")))

    assert form.webhook().secret_query_parameters == ("hmac", "tenant")


def test_secret_query_parameters_typed(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)
    form._connection_toggle.setChecked(True)
    form._secret_query.setFocus()

    with qtbot.waitSignal(form.changed, timeout=1000):
        qtbot.keyClicks(form._secret_query, " hmac, ,tenant , hmac")

    assert form.webhook().secret_query_parameters == ("hmac", "tenant")


def test_header_problems_counted_in_title(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)

    form.set_webhook(
        Webhook(
            headers=(
                HeaderRow(name="Host", value="evil"),
                HeaderRow(name="Bad Name", value="x"),
                HeaderRow(name="X-Fine", value="ok"),
            )
        )
    )

    assert "2 cannot be sent" in form._headers_toggle.text()
    assert "Host" in form._headers_toggle.toolTip()


def test_header_value_without_name_reported(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)
    form.set_webhook(Webhook(headers=(HeaderRow(name="X-Fine", value="ok"),)))
    table = form.headers._table

    table.item(0, 0).setText("")

    assert form.headers.problems() == [
        "the custom header in row 1 has the value 'ok' but no name. Enter its "
        "name, or clear the value."
    ]


def test_repeated_header_name_warned(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)

    form.set_webhook(
        Webhook(
            headers=(
                HeaderRow(name="X-Good", value="1"),
                HeaderRow(name="X-Off", value="2", enabled=False),
                HeaderRow(name="x-good", value="3"),
                HeaderRow(name="x-off", value="4"),
            )
        )
    )
    name_item = form.headers._table.item(2, 0)

    assert form.headers.problems() == []
    assert form.headers.warnings() == [
        "the custom header 'x-good' in row 3 repeats 'X-Good' from row 1, so both "
        "are sent and the server may read either one. Disable or remove one of "
        "them."
    ]
    assert "1 name repeated" in form._headers_toggle.text()
    assert "row 3" in form._headers_toggle.toolTip()
    assert "row 3" in name_item.toolTip()


def test_repeated_header_disabled_clears_warning(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)
    rows = (HeaderRow(name="A", value="1"), HeaderRow(name="a", value="2"))
    form.set_webhook(Webhook(headers=rows))

    form.headers._table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)

    assert form.headers.warnings() == []
    assert "repeated" not in form._headers_toggle.text()
    assert form.headers._table.item(1, 0).toolTip() == ""


def test_removed_row_updates_repeat_marks(qtbot):
    form = WebhookForm()
    qtbot.addWidget(form)
    rows = (
        HeaderRow(name="X-Good", value="1"),
        HeaderRow(name="Other", value="2"),
        HeaderRow(name="x-good", value="3"),
    )
    form.set_webhook(Webhook(headers=rows))
    table = form.headers._table

    table.selectRow(0)
    form.headers._on_remove_clicked()

    assert form.headers.warnings() == []
    assert table.item(1, 0).text() == "x-good"
    assert table.item(1, 0).toolTip() == ""


def test_loaded_timeouts_kept_until_edited(qtbot):
    from bchook_studio.core.delivery.request import Timeouts

    form = WebhookForm()
    qtbot.addWidget(form)
    loaded = Timeouts(operation=2.25, total=100_000.0)

    form.set_webhook(Webhook(timeouts=loaded))

    assert form.webhook().timeouts == loaded
    assert form._total_timeout.value() == 100_000.0

    with qtbot.waitSignal(form.changed, timeout=1000):
        form._timeout.setValue(5.0)

    assert form.webhook().timeouts == Timeouts(operation=5.0, total=100_000.0)

    form.set_webhook(Webhook())

    assert form.webhook().timeouts == Timeouts()
    assert form._total_timeout.maximum() == 86_400.0


def test_huge_redirect_limit_opens_the_connection_section(qtbot):
    from bchook_studio.core.delivery.redirects import RedirectSetting

    form = WebhookForm()
    qtbot.addWidget(form)
    loaded = RedirectSetting(follow=True, max_redirects=3_000_000_000)

    form.set_webhook(Webhook(redirects=loaded))
    form._connection_toggle.click()

    assert form.network._max_redirects.value() == 2**31 - 1
    assert form.webhook().redirects == loaded
