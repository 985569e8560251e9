"""Business hours: is the desk open at a given moment?"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from helpdesk.models import BusinessHours

# datetime.weekday(): Monday is 0.
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours) % 24, int(minutes))


def _intervals(hours: BusinessHours, day: str) -> list[tuple[time, time]]:
    raw = (hours.weekly or {}).get(day, [])
    return [(_parse(start), _parse(end)) for start, end in raw]


def is_open(hours: BusinessHours, at: datetime) -> bool:
    """True when `at` (aware) falls inside an interval of the local day, or in the tail
    of an overnight interval that started the day before; holidays are closed."""
    local = at.astimezone(zoneinfo.ZoneInfo(hours.time_zone))
    if local.date().isoformat() in (hours.holidays or []):
        return False
    now = local.time()
    today = DAYS[local.weekday()]
    for start, end in _intervals(hours, today):
        if start < end and start <= now < end:
            return True
        if end <= start and now >= start:  # overnight, first part
            return True
    yesterday = local - timedelta(days=1)
    if yesterday.date().isoformat() in (hours.holidays or []):
        return False
    return any(
        end <= start and now < end for start, end in _intervals(hours, DAYS[yesterday.weekday()])
    )
