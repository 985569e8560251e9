"""When an agent works: mail inside those hours goes out at once, outside waits."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from helpdesk.automation.hours import DAYS, _intervals, is_open
from helpdesk.models import BusinessHours, InboxAutomation
from helpdesk.notifications.models import NotificationSettings

LOOKAHEAD_DAYS = 15  # a fortnight of holidays (Nowruz) plus the weekend


def working_hours_for(user_id: int) -> BusinessHours | None:
    """The agent's own working hours, else those of their teams' first inbox that has any.

    None: no hours are known, so the agent is treated as always at work.
    """
    own = (
        NotificationSettings.objects.filter(user_id=user_id, working_hours__isnull=False)
        .select_related("working_hours")
        .first()
    )
    if own is not None:
        return own.working_hours
    found = (
        InboxAutomation.objects.filter(
            inbox__team__agents__user_id=user_id, business_hours__isnull=False
        )
        .select_related("business_hours")
        .order_by("inbox_id")
        .first()
    )
    return found.business_hours if found is not None else None


def next_opening(hours: BusinessHours, after: datetime) -> datetime | None:
    """The first moment after `after` at which `hours` is open (None: not within a fortnight).

    Candidates are the starts of the week grid's intervals on the coming days, in
    the hours' own time zone; `is_open` settles holidays and overnight shifts.
    """
    if is_open(hours, after):
        return after
    zone = zoneinfo.ZoneInfo(hours.time_zone)
    local = after.astimezone(zone)
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = (local + timedelta(days=offset)).date()
        starts = sorted(start for start, _end in _intervals(hours, DAYS[day.weekday()]))
        for start in starts:
            moment = datetime.combine(day, start, tzinfo=zone)
            if moment > local and is_open(hours, moment):
                return moment
    return None
