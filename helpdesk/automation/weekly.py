"""The weekly opening hours a BusinessHours stores: {"sat": [["08:00", "17:00"]], ...}."""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from helpdesk.automation.hours import DAYS

LABELS: dict[str, Promise] = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}
# The Iranian week starts on Saturday; the Persian admin lists it so.
_FIRST_DAY = {"fa": "sat"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_INTERVALS = 6


class InvalidHours(ValueError):
    pass


def day_labels() -> list[tuple[str, Promise]]:
    """(day key, label) in the order the current language's week runs."""
    first = DAYS.index(_FIRST_DAY.get((get_language() or "en")[:2], "mon"))
    return [(d, LABELS[d]) for d in DAYS[first:] + DAYS[:first]]


def validate(value: Any) -> dict[str, list[list[str]]]:
    """All seven days, each a sorted list of ["HH:MM", "HH:MM"]; an end before its start
    is an overnight shift (22:00-06:00). Raises InvalidHours naming the day."""
    if not isinstance(value, dict) or set(value) - set(DAYS):
        raise InvalidHours(_("Opening hours must name week days."))
    week: dict[str, list[list[str]]] = {}
    for day in DAYS:
        intervals = value.get(day) or []
        label = LABELS[day]
        if not isinstance(intervals, list) or len(intervals) > MAX_INTERVALS:
            raise InvalidHours(_("%(day)s: too many intervals.") % {"day": label})
        for interval in intervals:
            ok = isinstance(interval, list) and len(interval) == 2
            if not ok or not all(isinstance(t, str) and _TIME.match(t) for t in interval):
                raise InvalidHours(_("%(day)s: enter times as HH:MM.") % {"day": label})
            if interval[0] == interval[1]:
                raise InvalidHours(
                    _("%(day)s: an interval must not end when it starts.") % {"day": label}
                )
        week[day] = sorted([list(i) for i in intervals])
    return week
