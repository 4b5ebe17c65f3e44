"""The webhook codec: every field as JSON data and back, secrets left out."""

import json
import logging

import pytest

from bchook_studio.core.delivery.proxies import ProxyMode
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.webhook import Webhook
from bchook_studio.core.webhook_codec import (
    WebhookCodecError,
    secret_field_values,
    webhook_from_dict,
    webhook_to_dict,
    with_secret_field_values,
)
from tests.store_fixtures import CANARY, full_webhook


def test_round_trip_without_secrets():
    webhook = full_webhook()
    data = json.loads(json.dumps(webhook_to_dict(webhook)))
    read = webhook_from_dict(data)

    without_secrets = with_secret_field_values(
        webhook, dict.fromkeys(secret_field_values(webhook), "")
    )

    assert read == without_secrets
    assert read.password == ""
    assert read.tls.client_cert_password == ""


def test_secret_fields_left_out():
    data = webhook_to_dict(full_webhook())

    assert "password" not in data
    assert "client_cert_password" not in data["tls"]
    assert data["tls"]["client_cert"] == "/certs/client.pem"


def test_plain_types_written():
    data = webhook_to_dict(full_webhook())

    assert data["body_format"] == "xml"
    assert data["proxy"]["mode"] == "explicit"
    assert data["secret_query_parameters"] == ["token"]
    assert data["headers"][0] == {
        "name": "X-Api-Key",
        "value": f"{CANARY}-header",
        "enabled": False,
        "secret": True,
    }


def test_secret_values_by_path():
    webhook = full_webhook()
    values = secret_field_values(webhook)

    assert values == {
        "password": CANARY,
        "tls.client_cert_password": f"{CANARY}-cert",
    }
    emptied = with_secret_field_values(webhook, dict.fromkeys(values, ""))
    assert secret_field_values(emptied) == {}
    assert with_secret_field_values(emptied, values) == webhook


def test_secret_paths_must_name_secret_fields():
    webhook = Webhook(name="A")

    assert with_secret_field_values(webhook, {"name": "changed"}) == webhook
    assert with_secret_field_values(webhook, {"nope.password": "x"}) == webhook


def test_password_read_when_given():
    read = webhook_from_dict({"name": "A", "password": "given"})

    assert read.password == "given"


def test_missing_keys_take_defaults():
    read = webhook_from_dict({"name": "Only a name", "proxy": {}})

    assert read == Webhook(name="Only a name")


def test_unknown_keys_ignored_and_logged(caplog):
    with caplog.at_level(logging.INFO, logger="bchook_studio.core.webhook_codec"):
        read = webhook_from_dict({"name": "A", "colour": "red", "tls": {"pin": 1}})

    assert read == Webhook(name="A")
    assert "webhook.colour" in caplog.text
    assert "webhook.tls.pin" in caplog.text


def test_numbers_widen_to_float():
    read = webhook_from_dict({"timeouts": {"operation": 5, "total": 7.5}})

    assert read.timeouts.operation == 5.0
    assert isinstance(read.timeouts.operation, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"auth_enabled": "yes"}, "webhook.auth_enabled: expected true or false"),
        ({"body_format": "yaml"}, "webhook.body_format: 'yaml' is not one of"),
        ({"headers": [{"value": "v"}]}, r"webhook.headers\[0\]"),
        ({"headers": [{"name": "X", "enabled": 1}]}, r"headers\[0\].enabled"),
        ({"headers": {"X": "v"}}, "webhook.headers: expected a list"),
        ({"timeouts": {"total": True}}, "webhook.timeouts.total: expected a number"),
        ({"redirects": {"max_redirects": 2.5}}, "expected a whole number"),
        ({"proxy": "none"}, "webhook.proxy: expected an object"),
        ([], "webhook: expected an object"),
    ],
)
def test_wrong_types_name_the_field(data, message):
    with pytest.raises(WebhookCodecError, match=message):
        webhook_from_dict(data)


def test_enums_read_back():
    read = webhook_from_dict({"body_format": "xml", "proxy": {"mode": "none"}})

    assert read.body_format is BodyFormat.XML
    assert read.proxy.mode is ProxyMode.NONE
