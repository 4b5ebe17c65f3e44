"""Masking of URL secrets, secret headers and Basic credentials."""

import pytest

from bchook_studio.core.export.masking import (
    basic_credentials,
    mask_headers,
    mask_url,
    url_secret_values,
)


@pytest.mark.parametrize(
    ("url", "names", "masked"),
    [
        ("https://u:p@h/x", (), "https://u:********@h/x"),
        ("https://u@h/x", (), "https://u@h/x"),
        ("https://u:@h/x", (), "https://u:@h/x"),
        ("https://h/x?token=a&b=2", ("token",), "https://h/x?token=********&b=2"),
        (
            "https://h/x?TOKEN=a&token=b",
            ("Token",),
            "https://h/x?TOKEN=********&token=********",
        ),
        ("https://h/x?to%6Ben=a", ("token",), "https://h/x?to%6Ben=********"),
        ("https://h/x?token=&b=2", ("token",), "https://h/x?token=&b=2"),
        ("https://h/x?a=1#token=zz", ("token",), "https://h/x?a=1#token=zz"),
        ("https://h/x#frag?token=zz", ("token",), "https://h/x#frag?token=zz"),
        ("receiver:/hook?token=a", ("token",), "receiver:/hook?token=********"),
        ("https://u:p@h/x?k=v", ("k",), "https://u:********@h/x?k=********"),
        ("not a url", ("token",), "not a url"),
    ],
)
def test_mask_url(url, names, masked):
    assert mask_url(url, names) == masked


def test_url_secret_values():
    url = "https://u:p%40ss@h/x?token=t1&x=1"

    assert url_secret_values(url, ["token"]) == ["p%40ss", "t1"]


def test_mask_headers_defaults_and_names():
    headers = (
        ("Authorization", "Bearer abc"),
        ("Cookie", "a=1"),
        ("X-Sig", "s"),
        ("X-Open", "o"),
    )

    assert mask_headers(headers, ["x-SIG"]) == (
        ("Authorization", "Bearer ********"),
        ("Cookie", "********"),
        ("X-Sig", "********"),
        ("X-Open", "o"),
    )


def test_basic_credentials():
    assert basic_credentials("Basic Y2Fyb2w6cDpx") == ("carol", "p:q")
    assert basic_credentials("basic  Y2Fyb2w6cDpx ") == ("carol", "p:q")
    assert basic_credentials("Basic ********") is None
    assert basic_credentials("Bearer Y2Fyb2w6cDpx") is None
    assert basic_credentials("Basic bm9jb2xvbg==") is None


@pytest.mark.parametrize(
    "name",
    ["X-Api-Key", "x-auth-token", "X-Webhook-Secret", "X-Signature", "Api-Key"],
)
def test_conventional_secret_headers_masked(name):
    masked = dict(mask_headers([(name, "t5-SECRET"), ("X-Trace", "1")]))

    assert masked[name] == "********"
    assert masked["X-Trace"] == "1"


def test_conventional_secret_query_values_masked():
    url = "http://h/p?api_key=k-SECRET&password=p-SECRET&sig=s-SECRET&page=2"

    masked = mask_url(url)

    assert "SECRET" not in masked
    assert masked.endswith("page=2")
