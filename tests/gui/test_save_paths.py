"""Save dialogs: the proposed file name and the folder they start in."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from bchook_studio.gui import save_paths


class DialogStub:
    """A stand-in for QFileDialog.getSaveFileName that records each start path."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.starts: list[str] = []

    def __call__(self, _parent, _title, start, _filter="") -> tuple[str, str]:
        self.starts.append(start)
        return self.answers.pop(0), ""


@pytest.fixture
def dialog(monkeypatch):
    monkeypatch.setattr(save_paths, "_last_folder", None)
    stub = DialogStub([])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", stub)
    return stub


@pytest.mark.parametrize(
    ("content_type", "name"),
    [
        ("application/json", "body.json"),
        ("application/problem+json; charset=utf-8", "body.json"),
        ("APPLICATION/XML", "body.xml"),
        ("text/xml; charset=iso-8859-1", "body.xml"),
        ("text/plain", "body.txt"),
        ("image/png", "body.png"),
        ("text/javascript; charset=utf-8", "body.js"),
        ("image/svg+xml", "body.svg"),
        ("application/x-unknown-thing", "body.bin"),
        ("", "body.bin"),
    ],
)
def test_body_file_name_suffix(content_type, name):
    assert save_paths.body_file_name("body", content_type) == name


def test_first_dialog_starts_at_home(dialog):
    dialog.answers.append("")

    chosen = save_paths.ask_save_path(None, "Save", "report.json")

    assert chosen is None
    assert dialog.starts == [str(Path.home() / "report.json")]


def test_next_dialog_starts_in_last_folder(dialog, tmp_path):
    first = tmp_path / "reports" / "one.json"
    dialog.answers += [str(first), ""]

    chosen = save_paths.ask_save_path(None, "Save", "one.json")
    save_paths.ask_save_path(None, "Save", "two.xml")

    assert chosen == first
    assert dialog.starts[1] == str(tmp_path / "reports" / "two.xml")


def test_cancel_keeps_last_folder(dialog, tmp_path):
    dialog.answers += [str(tmp_path / "a.json"), "", ""]

    save_paths.ask_save_path(None, "Save", "a.json")
    save_paths.ask_save_path(None, "Save", "b.json")
    save_paths.ask_save_path(None, "Save", "c.json")

    assert dialog.starts[2] == str(tmp_path / "c.json")


def test_opened_file_folder_starts_the_next_dialog(dialog, monkeypatch, tmp_path):
    opener = DialogStub([str(tmp_path / "certs" / "ca.pem"), ""])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", opener)
    dialog.answers.append("")

    assert save_paths.ask_open_path(None, "Open", "") == str(tmp_path / "certs/ca.pem")
    assert save_paths.ask_open_path(None, "Open", str(save_paths.save_folder())) == ""
    save_paths.ask_save_path(None, "Save", "body.json")

    assert opener.starts[1] == str(tmp_path / "certs")
    assert dialog.starts == [str(tmp_path / "certs" / "body.json")]


def test_save_error_for_folder_asks_for_file_name(tmp_path):
    error = IsADirectoryError(21, "Is a directory")

    text = save_paths.save_error_text("Could not save to %1: %2.", tmp_path, error)

    assert (
        text
        == f"Could not save to {tmp_path}: Is a directory. Enter a file name after it."
    )


def test_save_error_for_permissions_asks_for_folder(tmp_path):
    error = PermissionError(13, "Permission denied")

    text = save_paths.save_error_text(
        "Could not save to %1: %2.", tmp_path / "body.json", error
    )

    assert text.endswith(": Permission denied. Choose another folder.")
