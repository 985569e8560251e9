"""Segments and cost: GSM-7 160/153, UCS-2 (Persian) 70/67, escapes and surrogates count two."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_in.sms.segments import GSM7, UCS2, cost, count


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("€" * 80, GSM7, 160, 1),  # an escape each: two septets
        ("[" * 81, GSM7, 162, 2),
        ("س" * 70, UCS2, 70, 1),
        ("س" * 71, UCS2, 71, 2),
        ("س" * 134, UCS2, 134, 2),
        ("س" * 135, UCS2, 135, 3),
        ("a" * 150 + "ی", UCS2, 151, 3),  # one Persian letter makes it all UCS-2
        ("😀" * 35, UCS2, 70, 1),  # outside the BMP: a surrogate pair each
        ("😀" * 36, UCS2, 72, 2),
    ],
)
def test_it_counts_segments_like_the_operators(
    text: str, encoding: str, units: int, segments: int
) -> None:
    counted = count(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_it_prices_by_the_encoding_of_the_text() -> None:
    gsm, ucs2 = Decimal("100"), Decimal("120")
    assert cost(count("hello"), gsm=gsm, ucs2=ucs2) == Decimal("100")
    assert cost(count("سلام" * 20), gsm=gsm, ucs2=ucs2) == Decimal("240")
    assert count("سلام" * 20).per_segment == 67
    assert count("سلام").per_segment == 70
