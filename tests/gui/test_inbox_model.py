"""The Inbox table model on its own: batches, removals, lookups, cell texts."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from bchook_studio.core.receiver import Fault, ReceivedRequest
from bchook_studio.gui.inbox.model import (
    BODY_NOT_READ,
    NO_STATUS,
    REQUEST_ID_ROLE,
    Column,
    InboxModel,
    status_tooltip,
)


def _request(request_id: int, status: int | None = 200, **fields) -> ReceivedRequest:
    values = {
        "id": request_id,
        "time": datetime(2024, 1, 26, 22, 17, tzinfo=UTC),
        "client_host": "127.0.0.1",
        "client_port": 50000,
        "method": "POST",
        "target": f"/r{request_id}",
        "http_version": "1.1",
        "headers": (("Content-Type", "application/json"),),
        "body": b"{}",
        "body_size": 2,
        "status": status,
        "rule_index": 0,
    }
    values.update(fields)
    return ReceivedRequest(**values)


@pytest.fixture
def model(qapp):
    return InboxModel()


def _ids(model: InboxModel) -> list[int]:
    return [request.id for request in model.requests()]


def test_batch_goes_on_top_newest_first(model):
    model.add_batch([_request(1), _request(2)])
    model.add_batch([_request(3), _request(4)])
    assert _ids(model) == [4, 3, 2, 1]


def test_batch_is_one_insert(model):
    inserts = []
    model.rowsInserted.connect(
        lambda parent, first, last: inserts.append((first, last))
    )
    model.add_batch([_request(number) for number in range(1, 101)])
    assert inserts == [(0, 99)]


def test_batch_skips_rows_already_listed(model):
    model.set_requests([_request(1), _request(2)])
    model.add_batch([_request(2), _request(3)])
    assert _ids(model) == [3, 2, 1]


def test_remove_below_is_one_removal(model):
    model.add_batch([_request(number) for number in range(1, 6)])
    removals = []
    model.rowsRemoved.connect(
        lambda parent, first, last: removals.append((first, last))
    )
    model.remove_below(4)
    assert _ids(model) == [5, 4]
    assert removals == [(2, 4)]


def test_remove_below_nothing_listed(model):
    model.add_batch([_request(5)])
    model.remove_below(3)
    assert _ids(model) == [5]


def test_row_of_finds_id(model):
    model.add_batch([_request(number) for number in (2, 5, 9)])
    assert model.row_of(9) == 0
    assert model.row_of(2) == 2
    assert model.row_of(4) is None


def test_cells(model):
    model.add_batch([_request(7, status=503)])
    texts = [model.index(0, column).data() for column in Column]
    assert texts[Column.METHOD] == "POST"
    assert texts[Column.PATH] == "/r7"
    assert texts[Column.CONTENT_TYPE] == "application/json"
    assert texts[Column.SIZE] == "2 B"
    assert texts[Column.STATUS] == "503 Service Unavailable"
    assert model.index(0, Column.PATH).data(REQUEST_ID_ROLE) == 7


def test_no_response_shows_dash(model):
    model.add_batch([_request(1, status=None, fault=Fault.DROP)])
    assert model.index(0, Column.STATUS).data() == NO_STATUS
    tooltip = model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "drop" in tooltip


def test_path_tooltip_escaped(model):
    model.add_batch([_request(1, target="/<b>x</b>")])
    tooltip = model.index(0, Column.PATH).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;x&lt;/b&gt;" in tooltip
    assert "<b>" not in tooltip


def test_status_tooltip_names_rejection(model):
    request = _request(1, status=413, rejection="the body is too large")
    assert status_tooltip(request) == "Rejected by the receiver: the body is too large."


def test_status_phrase_rfc_9110(model):
    model.add_batch([_request(1, status=413)])
    assert model.index(0, Column.STATUS).data() == "413 Content Too Large"


def test_unknown_status_code_alone(model):
    model.add_batch([_request(1, status=599)])
    assert model.index(0, Column.STATUS).data() == "599"


def test_status_tooltip_repeats_cell(model):
    model.add_batch([_request(1, status=500, rule_name="errors")])
    tooltip = model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    text = tooltip.replace("\xa0", " ")  # the rich-text tooltip's spaces
    assert "500 Internal Server Error<br>" in text
    assert "Sent by rule 1 (errors)." in text


def _size_cell(model: InboxModel, role: int = Qt.ItemDataRole.DisplayRole) -> str:
    return model.index(0, Column.SIZE).data(role)


def test_size_body_not_read(model):
    request = _request(
        1,
        status=413,
        body=b"",
        body_size=0,
        declared_size=11_744_051,
        rejection="the request body is over the limit",
    )
    model.add_batch([request])
    tooltip = _size_cell(model, Qt.ItemDataRole.ToolTipRole)
    assert _size_cell(model) == f"{BODY_NOT_READ} (11.2 MiB)"
    assert (
        tooltip == "Content-Length declared 11,744,051 bytes, and the receiver read 0."
    )


def test_size_body_partly_read(model):
    request = _request(
        1,
        status=None,
        body=b"x" * 400,
        body_size=400,
        declared_size=2048,
        rejection="the connection closed before the request was complete",
    )
    model.add_batch([request])
    assert _size_cell(model) == "400 B (2 KiB)"


def test_size_rejected_without_length(model):
    request = _request(
        1, status=413, body=b"", body_size=0, rejection="the chunks are over the limit"
    )
    model.add_batch([request])
    tooltip = _size_cell(model, Qt.ItemDataRole.ToolTipRole)
    assert _size_cell(model) == BODY_NOT_READ
    assert tooltip == "The receiver rejected the request before reading a body."


def test_size_body_cut(model):
    request = _request(
        1,
        status=413,
        body=b"x" * 1024,
        body_size=1500,
        truncated=True,
        rejection="the request body is over the limit",
    )
    model.add_batch([request])
    tooltip = _size_cell(model, Qt.ItemDataRole.ToolTipRole)
    assert _size_cell(model) == "1.5 KiB"
    assert tooltip == "Received 1,500 bytes. The receiver kept the first 1,024."


def test_size_empty_body(model):
    model.add_batch([_request(1, body=b"", body_size=0, declared_size=0)])
    assert _size_cell(model) == "0 B"


@pytest.mark.parametrize(
    ("authorization", "explanation"),
    [
        (None, "Sent 401 because the request lacked the Basic credentials"),
        (
            "Basic dTp3cm9uZw==",  # u:wrong
            "Sent 401 because the Basic credentials for the user 'u' do not match",
        ),
        ("Bearer token", "Sent 401 because the Authorization header is not valid"),
    ],
)
def test_401_explanation_tells_missing_from_wrong(authorization, explanation):
    headers = (("Content-Type", "application/json"),)
    if authorization is not None:
        headers += (("Authorization", authorization),)

    text = status_tooltip(_request(1, status=401, headers=headers))

    assert text.startswith(explanation)
