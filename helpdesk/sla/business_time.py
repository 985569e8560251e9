"""Arithmetic on business time: the open hours of a BusinessHours calendar.

A calendar is a week grid per local day (an interval ending before it starts runs
past midnight), holidays (whole local days closed, including the tail of an
overnight shift that started the day before) and a time zone. `add` finds the
moment a budget of open seconds runs out, `between` counts the open seconds of a
span, `subtract` walks back. Without a calendar (None) all three are plain
calendar time. All arithmetic is done in UTC, so a zone's offset changes are
counted as they happened.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from helpdesk.automation.hours import DAYS
from helpdesk.models import BusinessHours

logger = logging.getLogger(__name__)

# How far `add` and `subtract` look for open hours before giving up: more than a
# year, so a calendar with a closed month (or a long Nowruz) is still crossed.
MAX_DAYS = 800

type Span = tuple[datetime, datetime]
type DayGrid = tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True, slots=True)
class Calendar:
    """What arithmetic needs of a BusinessHours, hashable (day intervals are cached)."""

    zone_name: str
    # Per weekday (Monday 0), (start, end) in minutes after midnight.
    week: DayGrid
    holidays: frozenset[date]

    @classmethod
    def of(cls, hours: BusinessHours) -> Calendar:
        """The calendar of stored business hours."""
        week = tuple(
            tuple(sorted(_minutes(start, end) for start, end in (hours.weekly or {}).get(day, [])))
            for day in DAYS
        )
        holidays = frozenset(date.fromisoformat(str(d)) for d in hours.holidays or [])
        return cls(hours.time_zone or "Asia/Tehran", week, holidays)

    def is_open_on(self, day: date) -> bool:
        return day not in self.holidays


def _minutes(start: str, end: str) -> tuple[int, int]:
    def parse(value: str) -> int:
        hours, minutes = value.split(":")
        return (int(hours) % 24) * 60 + int(minutes)

    return parse(start), parse(end)


def _at(day: date, minutes: int, zone: zoneinfo.ZoneInfo) -> datetime:
    moment = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minutes)
    # Re-localize (adding minutes to a wall time ignores an offset change inside the day).
    local = datetime.combine(moment.date(), moment.time(), tzinfo=zone)
    return local.astimezone(UTC)


@lru_cache(maxsize=4096)
def open_spans(calendar: Calendar, day: date) -> tuple[Span, ...]:
    """The open time falling on local `day`, in UTC, sorted and merged: the day's own
    intervals plus the after-midnight tail of the previous day's overnight shifts."""
    zone = zoneinfo.ZoneInfo(calendar.zone_name)
    spans: list[Span] = []
    if calendar.is_open_on(day):
        for start, end in calendar.week[day.weekday()]:
            stop = end if end > start else 24 * 60
            spans.append((_at(day, start, zone), _at(day, stop, zone)))
        yesterday = day - timedelta(days=1)
        if calendar.is_open_on(yesterday):
            for start, end in calendar.week[yesterday.weekday()]:
                if end <= start and end > 0:
                    spans.append((_at(day, 0, zone), _at(day, end, zone)))
    merged: list[Span] = []
    for begin, finish in sorted(spans):
        if finish <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return tuple(merged)


def _local_day(calendar: Calendar, moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(calendar.zone_name)).date()


def add(calendar: Calendar | None, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of open time after `start` have passed."""
    if calendar is None or seconds < 0:
        if calendar is not None:
            return subtract(calendar, start, -seconds)
        return start + timedelta(seconds=seconds)
    left = timedelta(seconds=seconds)
    day = _local_day(calendar, start)
    for _ in range(MAX_DAYS):
        for open_, close in open_spans(calendar, day):
            if close <= start:
                continue
            begin = max(open_, start)
            if left <= close - begin:
                return begin + left
            left -= close - begin
        day += timedelta(days=1)
    logger.warning("calendar %s has no open hours ahead; counting calendar time", calendar)
    return start + timedelta(seconds=seconds)


def subtract(calendar: Calendar | None, end: datetime, seconds: float) -> datetime:
    """The latest moment from which `seconds` of open time end at `end`."""
    if calendar is None:
        return end - timedelta(seconds=seconds)
    left = timedelta(seconds=seconds)
    day = _local_day(calendar, end)
    for _ in range(MAX_DAYS):
        for open_, close in reversed(open_spans(calendar, day)):
            if open_ >= end:
                continue
            finish = min(close, end)
            if left <= finish - open_:
                return finish - left
            left -= finish - open_
        day -= timedelta(days=1)
    return end - timedelta(seconds=seconds)


def between(calendar: Calendar | None, start: datetime, end: datetime) -> float:
    """Seconds of open time from `start` to `end` (negative when `end` is earlier)."""
    if end < start:
        return -between(calendar, end, start)
    if calendar is None:
        return (end - start).total_seconds()
    total = timedelta(0)
    day = _local_day(calendar, start)
    last = _local_day(calendar, end)
    while day <= last:
        for open_, close in open_spans(calendar, day):
            begin, finish = max(open_, start), min(close, end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds()
