"""Customer HTML is made safe; addresses are normalized so one person is one identity."""

from __future__ import annotations

import pytest

from helpdesk.identities import InvalidAddress, normalize_address, normalize_phone
from helpdesk.sanitize import sanitize_html

pytestmark = [pytest.mark.embedded]


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script><p>hi</p>", "<p>hi</p>"),
        ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
        ('<a href="javascript:alert(1)">go</a>', '<a rel="noopener noreferrer nofollow">go</a>'),
        ('<a href="JaVaScRiPt:alert(1)">go</a>', '<a rel="noopener noreferrer nofollow">go</a>'),
        ('<p style="position:fixed">x</p>', "<p>x</p>"),
        ("<style>body{display:none}</style><b>bold</b>", "<b>bold</b>"),
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
        ('<form action="/x"><input name="p"></form>text', "text"),
        (
            '<a href="https://example.com/" target="_blank">site</a>',
            '<a href="https://example.com/" rel="noopener noreferrer nofollow">site</a>',
        ),
        ('<img src="cid:logo@x" alt="logo">', '<img src="cid:logo@x" alt="logo">'),
        ('<img src="data:image/png;base64,AAAA">', "<img>"),
    ],
)
def test_it_strips_what_could_run_or_restyle_the_page(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_it_keeps_persian_text_and_direction() -> None:
    html = '<div dir="rtl" lang="fa"><p>سلام، سفارش <b>۱۲۳۴</b> کجاست؟\u200cها</p></div>'
    assert sanitize_html(html) == html
    assert sanitize_html("") == ""


@pytest.mark.parametrize(
    "raw",
    [
        "09123456789",
        "0912 345 6789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "+989123456789",
        "+98 912 345 6789",
        "00989123456789",
        "۰۰۹۸۹۱۲۳۴۵۶۷۸۹",
        "  +98-912-345-6789 ",
        "(0912) 345-6789",
    ],
)
def test_it_normalizes_iranian_mobile_numbers_in_every_common_spelling(raw: str) -> None:
    assert normalize_phone(raw) == "+989123456789"


def test_it_keeps_foreign_numbers_international() -> None:
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("0044 20 7946 0958") == "+442079460958"
    assert normalize_phone("020 7946 0958", default_region="GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "hello", "12", "۱۲", "+98 12"])
def test_it_refuses_what_is_not_a_phone_number(raw: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize_phone(raw)


def test_it_normalizes_addresses_per_kind() -> None:
    assert normalize_address("email", "  Reza@Example.COM ") == "reza@example.com"
    assert normalize_address("phone", "۰۹۱۲۳۴۵۶۷۸۹") == "+989123456789"
    assert normalize_address("telegram", " 12345 ") == "12345"
    with pytest.raises(InvalidAddress):
        normalize_address("email", "no-at-sign")
    with pytest.raises(InvalidAddress):
        normalize_address("webchat", "   ")
