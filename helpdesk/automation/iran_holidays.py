"""Iran's official public holidays for a Jalali year.

Solar holidays are fixed Jalali dates. Lunar ones follow the Hijri calendar, which
Iran fixes by moon sighting; they are computed here with the Umm al-Qura calendar
(`hijridate`), so one may fall a day off the official announcement: the admin
imports them, then edits any that differ (docs/automation.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from hijridate import Gregorian, Hijri

from helpdesk.jalali import from_jalali


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str


# (Jalali month, day, name)
SOLAR: tuple[tuple[int, int, Promise], ...] = (
    (1, 1, _("Nowruz")),
    (1, 2, _("Nowruz")),
    (1, 3, _("Nowruz")),
    (1, 4, _("Nowruz")),
    (1, 12, _("Islamic Republic Day")),
    (1, 13, _("Nature Day")),
    (3, 14, _("Death of Imam Khomeini")),
    (3, 15, _("15 Khordad uprising")),
    (11, 22, _("Victory of the Islamic Revolution")),
    (12, 29, _("Nationalisation of the oil industry")),
)
# (Hijri month, day, name); day 0 is the month's last day (29 or 30).
LUNAR: tuple[tuple[int, int, Promise], ...] = (
    (1, 9, _("Tasua")),
    (1, 10, _("Ashura")),
    (2, 20, _("Arbaeen")),
    (2, 28, _("Death of the Prophet and martyrdom of Imam Hassan")),
    (2, 0, _("Martyrdom of Imam Reza")),
    (3, 8, _("Martyrdom of Imam Hassan Askari")),
    (3, 17, _("Birth of the Prophet and Imam Sadegh")),
    (6, 3, _("Martyrdom of Fatima")),
    (7, 13, _("Birth of Imam Ali")),
    (7, 27, _("Mab'as")),
    (8, 15, _("Birth of Imam Mahdi")),
    (9, 21, _("Martyrdom of Imam Ali")),
    (10, 1, _("Eid al-Fitr")),
    (10, 2, _("Eid al-Fitr holiday")),
    (10, 25, _("Martyrdom of Imam Sadegh")),
    (12, 10, _("Eid al-Adha")),
    (12, 18, _("Eid al-Ghadir")),
)


def _lunar(first: date, last: date) -> list[Holiday]:
    found = []
    start = Gregorian.fromdate(first).to_hijri().year
    end = Gregorian.fromdate(last).to_hijri().year
    for year in range(start, end + 1):  # a solar year spans two Hijri years, sometimes three
        for month, day, name in LUNAR:
            if day == 0:
                day = Hijri(year, month, 1).month_length()
            when = Hijri(year, month, day).to_gregorian()
            if first <= when <= last:
                found.append(Holiday(when, str(name)))
    return found


def official_holidays(jalali_year: int) -> list[Holiday]:
    """The year's holidays by date; a day that is two holidays is listed once."""
    first = from_jalali(jalali_year, 1, 1)
    last = from_jalali(jalali_year + 1, 1, 1) - timedelta(days=1)
    solar = [Holiday(from_jalali(jalali_year, m, d), str(name)) for m, d, name in SOLAR]
    by_day: dict[date, Holiday] = {}
    for holiday in sorted(solar + _lunar(first, last), key=lambda h: h.day):
        by_day.setdefault(holiday.day, holiday)
    return list(by_day.values())
