from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest

from helpdesk.automation.hours import is_open
from helpdesk.models import BusinessHours

pytestmark = [pytest.mark.embedded]

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
IRANIAN_WEEK = BusinessHours(
    name="Tehran office",
    time_zone="Asia/Tehran",
    weekly={
        **{d: [["08:00", "17:00"]] for d in ("sat", "sun", "mon", "tue", "wed")},
        "thu": [["08:00", "12:00"]],
        "fri": [],
    },
    holidays=["2026-11-25"],
)
NIGHT_SHIFT = BusinessHours(
    name="Nights", time_zone="Europe/London", weekly={"mon": [["22:00", "02:00"]]}
)


def tehran(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TEHRAN)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (tehran(2026, 11, 21, 8, 0), True),  # Saturday, opening minute
        (tehran(2026, 11, 21, 7, 59), False),
        (tehran(2026, 11, 21, 16, 59), True),
        (tehran(2026, 11, 21, 17, 0), False),  # closing minute is closed
        (tehran(2026, 11, 26, 11, 30), True),  # Thursday morning
        (tehran(2026, 11, 26, 12, 30), False),  # Thursday afternoon
        (tehran(2026, 11, 27, 10, 0), False),  # Friday
        (tehran(2026, 11, 25, 10, 0), False),  # a holiday (Wednesday)
        (tehran(2026, 11, 22, 0, 0), False),  # midnight
    ],
)
def test_it_knows_an_iranian_week(moment: datetime, expected: bool) -> None:
    assert is_open(IRANIAN_WEEK, moment) is expected


def test_it_converts_from_utc_to_the_desks_zone() -> None:
    # 05:00 UTC is 08:30 in Tehran on a Saturday.
    assert is_open(IRANIAN_WEEK, datetime(2026, 11, 21, 5, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))
    assert not is_open(IRANIAN_WEEK, datetime(2026, 11, 21, 4, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))


def test_it_keeps_an_overnight_shift_open_past_midnight() -> None:
    london = zoneinfo.ZoneInfo("Europe/London")
    assert is_open(NIGHT_SHIFT, datetime(2026, 11, 23, 23, 0, tzinfo=london))  # Monday night
    assert is_open(NIGHT_SHIFT, datetime(2026, 11, 24, 1, 59, tzinfo=london))  # Tuesday 01:59
    assert not is_open(NIGHT_SHIFT, datetime(2026, 11, 24, 2, 0, tzinfo=london))
    assert not is_open(NIGHT_SHIFT, datetime(2026, 11, 23, 21, 59, tzinfo=london))
