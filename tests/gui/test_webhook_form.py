"""The webhook form gives back the webhook it shows, with the user's edits."""

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
