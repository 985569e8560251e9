"""The reports page's filters, read from the query string (period in Gregorian or Jalali)."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from helpdesk.digits import ascii_digits
from helpdesk.jalali import from_jalali
from helpdesk.reports.queries import Filters
from helpdesk.reports.scope import filters_for
from helpdesk.staff.access import agent_of

DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
KEYS = ("since", "until", "team", "inbox", "channel", "agent", "tag", "bh")
MAX_DAYS = 400


def parse_day(text: str) -> date | None:
    """2026-11-04, or a Jalali 1405/08/13 (Persian digits too); None when unreadable."""
    m = DATE.match(ascii_digits(text.strip()))
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    try:
        return from_jalali(y, mo, d) if y < 1700 else date(y, mo, d)
    except ValueError:
        return None


def _int(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@dataclass(frozen=True)
class PageFilters:
    """The filters, the zone the days are counted in and the values to redraw the form."""

    filters: Filters
    zone: str
    first_day: date
    last_day: date
    values: dict[str, str]

    def query(self, **extra: Any) -> str:
        """The query string of these filters, with `extra` replacing values."""
        merged = {k: v for k, v in {**self.values, **extra}.items() if v not in ("", None)}
        return urlencode(merged)


def page_filters(request: HttpRequest) -> PageFilters:
    """Filters of the request for its user (raises Forbidden for another team)."""
    agent = agent_of(request.user)
    zone_name = agent.time_zone if agent else "Asia/Tehran"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (KeyError, ValueError):
        zone_name, zone = "UTC", zoneinfo.ZoneInfo("UTC")
    today = datetime.now(zone).date()
    last = parse_day(request.GET.get("until", "")) or today
    first = parse_day(request.GET.get("since", "")) or last - timedelta(days=6)
    if first > last:
        first, last = last, first
    first = max(first, last - timedelta(days=MAX_DAYS))
    since = datetime.combine(first, time(0), tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    f = filters_for(
        request.user,
        since,
        until,
        team=_int(request, "team"),
        inbox=_int(request, "inbox"),
        channel=request.GET.get("channel", "")[:16],
        agent=_int(request, "agent"),
        tag=request.GET.get("tag", "")[:50],
        business_hours=request.GET.get("bh") == "1",
    )
    values = {k: request.GET.get(k, "") for k in KEYS}
    values["since"], values["until"] = first.isoformat(), last.isoformat()
    return PageFilters(f, zone_name, first, last, values)
