"""Business-time arithmetic on the week grid: weekends, overnight shifts, holidays, Nowruz."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import pytest

from helpdesk.automation.hours import is_open
from helpdesk.automation.iran_holidays import official_holidays
from helpdesk.models import BusinessHours
from helpdesk.sla import business_time
from helpdesk.sla.business_time import Calendar

pytestmark = [pytest.mark.embedded]

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
DAY = [["08:00", "17:00"]]
# Saturday to Wednesday, a half-day Thursday; Friday closed.
FRIDAY_ONLY = {
    "sat": DAY,
    "sun": DAY,
    "mon": DAY,
    "tue": DAY,
    "wed": DAY,
    "thu": [["08:00", "12:00"]],
}
THURSDAY_FRIDAY = {"sat": DAY, "sun": DAY, "mon": DAY, "tue": DAY, "wed": DAY}
NIGHTS = {d: [["22:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def hours(weekly: dict[str, list[list[str]]], holidays: list[str] = ()) -> BusinessHours:  # type: ignore[assignment]
    return BusinessHours(name="h", time_zone="Asia/Tehran", weekly=weekly, holidays=list(holidays))


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TEHRAN)


def test_it_counts_only_open_hours_within_a_day() -> None:
    cal = Calendar.of(hours(FRIDAY_ONLY))
    saturday_9 = local(2026, 12, 5, 9, 0)
    assert business_time.add(cal, saturday_9, 2 * 3600) == local(2026, 12, 5, 11, 0)
    # Before opening, the clock starts at 08:00.
    assert business_time.add(cal, local(2026, 12, 5, 6, 30), 1800) == local(2026, 12, 5, 8, 30)


@pytest.mark.parametrize(
    ("weekly", "expected"),
    [
        # Friday-only weekend: Thursday morning is open.
        (FRIDAY_ONLY, local(2026, 12, 10, 9, 0)),
        # Thursday and Friday weekend: the clock waits for Saturday.
        (THURSDAY_FRIDAY, local(2026, 12, 12, 9, 0)),
    ],
)
def test_it_skips_the_configured_weekend(
    weekly: dict[str, list[list[str]]], expected: datetime
) -> None:
    cal = Calendar.of(hours(weekly))
    wednesday_4pm = local(2026, 12, 9, 16, 0)
    due = business_time.add(cal, wednesday_4pm, 2 * 3600)
    assert due == expected
    assert business_time.between(cal, wednesday_4pm, due) == 2 * 3600
    assert business_time.subtract(cal, due, 2 * 3600) == wednesday_4pm


def test_it_runs_overnight_shifts_past_midnight() -> None:
    cal = Calendar.of(hours(NIGHTS))
    assert business_time.add(cal, local(2026, 12, 5, 23, 0), 3 * 3600) == local(2026, 12, 6, 2, 0)
    # Closed at noon: the first open second is 22:00.
    assert business_time.add(cal, local(2026, 12, 5, 12, 0), 3600) == local(2026, 12, 5, 23, 0)


def test_a_holiday_closes_its_day_and_the_night_shift_running_into_it() -> None:
    # Sunday is a holiday: Saturday 22-24 is open, Sunday 00-06 and 22-24 are not,
    # and neither is Monday 00-06 (the tail of Sunday's shift), as is_open says.
    cal = Calendar.of(hours(NIGHTS, ["2026-12-06"]))
    due = business_time.add(cal, local(2026, 12, 5, 23, 0), 3 * 3600)
    assert due == local(2026, 12, 8, 0, 0)


@pytest.mark.parametrize("weekly", [FRIDAY_ONLY, NIGHTS])
def test_it_agrees_with_is_open_minute_by_minute(weekly: dict[str, list[list[str]]]) -> None:
    stored = hours(weekly, ["2026-12-06", "2026-12-10"])
    cal = Calendar.of(stored)
    start = local(2026, 12, 4, 0, 0)
    for step in range(0, 8 * 24 * 60, 20):
        at = start + timedelta(minutes=step)
        assert (business_time.between(cal, at, at + timedelta(minutes=1)) > 0) == is_open(
            stored, at
        ), at


def test_a_target_spanning_nowruz_waits_for_the_holidays_to_end() -> None:
    days = [h.day.isoformat() for y in (1404, 1405) for h in official_holidays(y)]
    cal = Calendar.of(hours(FRIDAY_ONLY, days))
    # Thursday 19 March 2026 (28 Esfand 1404) after closing; 2 business hours.
    start = local(2026, 3, 19, 12, 0)
    due = business_time.add(cal, start, 2 * 3600)
    # The first open day after Nowruz (1-4 Farvardin = 21-24 March) and the holidays
    # around it: every day in between is a holiday or a Friday.
    first_open = due.astimezone(TEHRAN).date()
    assert first_open > date(2026, 3, 24)
    gap = (first_open - date(2026, 3, 20)).days
    skipped = [date(2026, 3, 20) + timedelta(days=n) for n in range(gap)]
    assert all(d.isoformat() in days or d.weekday() == 4 for d in skipped)
    assert due == datetime(first_open.year, first_open.month, first_open.day, 10, 0, tzinfo=TEHRAN)
    assert business_time.between(cal, start, due) == 2 * 3600
    # The worked example of docs/sla.md: 11:00 that Thursday, due Wednesday 5 Farvardin.
    assert business_time.add(cal, local(2026, 3, 19, 11, 0), 2 * 3600) == local(2026, 3, 25, 9, 0)
    # Without the holidays it would have been due on Saturday morning.
    plain = Calendar.of(hours(FRIDAY_ONLY))
    assert business_time.add(plain, start, 2 * 3600) == local(2026, 3, 21, 10, 0)


def test_calendar_time_is_plain_arithmetic() -> None:
    start = local(2026, 12, 5, 23, 0)
    assert business_time.add(None, start, 90) == start + timedelta(seconds=90)
    assert business_time.between(None, start, start - timedelta(hours=1)) == -3600
