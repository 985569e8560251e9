"""Dates in the Persian UI are Jalali: known days of the calendar, leap years included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from helpdesk.jalali import long_date, short_datetime, to_jalali

pytestmark = [pytest.mark.embedded]


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (date(2025, 3, 21), (1404, 1, 1)),  # Nowruz
        (date(2024, 3, 20), (1403, 1, 1)),
        (date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year: Esfand has 30 days
        (date(2023, 3, 21), (1402, 1, 1)),
        (date(2023, 3, 20), (1401, 12, 29)),
        (date(2026, 11, 24), (1405, 9, 3)),
        (date(1979, 2, 11), (1357, 11, 22)),
        (date(2000, 2, 29), (1378, 12, 10)),
        (date(2024, 9, 22), (1403, 7, 1)),  # first day of the 30-day months
        (date(2024, 9, 21), (1403, 6, 31)),
    ],
)
def test_known_days(gregorian: date, jalali: tuple[int, int, int]) -> None:
    assert to_jalali(gregorian) == jalali


def test_every_day_of_a_cycle_follows_the_one_before() -> None:
    day = date(1990, 1, 1).toordinal()
    previous = to_jalali(date.fromordinal(day))
    for offset in range(1, 365 * 40):
        current = to_jalali(date.fromordinal(day + offset))
        y, m, d = previous
        month_days = 31 if m <= 6 else 30 if m < 12 else 30 if current[:2] == (y, 12) else 29
        expected = (y, m, d + 1) if d < month_days else (y, m + 1, 1) if m < 12 else (y + 1, 1, 1)
        assert current == expected, date.fromordinal(day + offset)
        previous = current


def test_formats_in_tehran_time(settings: object) -> None:
    moment = datetime(2026, 11, 24, 20, 35, tzinfo=UTC)  # 00:05 the next day in Tehran
    from django.utils import timezone

    with timezone.override("Asia/Tehran"):
        assert short_datetime(moment) == "۱۴۰۵/۰۹/۰۴ ۰۰:۰۵"
        assert long_date(moment) == "۴ آذر ۱۴۰۵"
