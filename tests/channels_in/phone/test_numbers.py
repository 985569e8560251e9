from __future__ import annotations

import pytest

from channels_in.phone.calls import normalize_number

pytestmark = [pytest.mark.embedded]


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("09121234567", "IR", "+989121234567"),
        ("+989121234567", "IR", "+989121234567"),
        ("00989121234567", "IR", "+989121234567"),
        ("0912 123 4567", "IR", "+989121234567"),
        ("(0912) 123-4567", "IR", "+989121234567"),
        ("۰۹۱۲۱۲۳۴۵۶۷", "IR", "+989121234567"),
        ("٠٩١٢١٢٣٤٥٦٧", "IR", "+989121234567"),
        ("+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷", "IR", "+989121234567"),
        ("021 1234 5678", "IR", "+982112345678"),
        ("030 1234567", "DE", "+49301234567"),
        ("+44 20 7946 0958", "IR", "+442079460958"),
        ("(415) 555-0100", "US", "+14155550100"),
        ("anonymous", "IR", "anonymous"),
    ],
)
def test_it_normalizes_numbers_to_e164(raw: str, region: str, expected: str) -> None:
    assert normalize_number(raw, region) == expected
