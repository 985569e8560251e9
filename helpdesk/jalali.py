"""The Iranian (Jalali / Solar Hijri) calendar, for dates shown in the Persian UI.

Conversion by day count over the 2,820-year arithmetic cycle as used in
civil software (it agrees with the official calendar for 1178-1633 AP, the
years a support desk meets). Persian users read dates in this calendar; the
stored values stay timezone-aware Gregorian datetimes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from helpdesk.digits import persian_digits

MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

# Days before each Gregorian month in a common year.
_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def to_jalali(day: date) -> tuple[int, int, int]:
    """(year, month, day) in the Jalali calendar of a Gregorian date."""
    year = day.year + 1 if day.month > 2 else day.year  # leap days counted through Feb
    days = (
        355666
        + 365 * day.year
        + (year + 3) // 4
        - (year + 99) // 100
        + (year + 399) // 400
        + day.day
        + _BEFORE_MONTH[day.month - 1]
    )
    jy = -1595 + 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:  # the first six months have 31 days
        return jy, 1 + days // 31, 1 + days % 31
    return jy, 7 + (days - 186) // 30, 1 + (days - 186) % 30


def short_datetime(value: datetime) -> str:
    """`۱۴۰۵/۰۹/۰۳ ۱۴:۰۵` in the current time zone."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    y, m, d = to_jalali(local.date())
    return persian_digits(f"{y}/{m:02d}/{d:02d} {local.hour:02d}:{local.minute:02d}")


def long_date(value: date | datetime) -> str:
    """`۳ آذر ۱۴۰۵`."""
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    y, m, d = to_jalali(value)
    return persian_digits(f"{d} {MONTHS[m - 1]} {y}")


def from_jalali(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali (year, month, day); the inverse of to_jalali."""
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        raise ValueError(f"no Jalali date {year}/{month}/{day}")
    # 1 Farvardin falls on 19-22 March of Gregorian year + 621: find it, then count days.
    nowruz = next(
        d for d in (date(year + 621, 3, n) for n in range(19, 23)) if to_jalali(d) == (year, 1, 1)
    )
    offset = (month - 1) * 31 + day - 1 if month <= 7 else 186 + (month - 7) * 30 + day - 1
    found = nowruz + timedelta(days=offset)
    if to_jalali(found) != (year, month, day):  # 30 Esfand of a common year
        raise ValueError(f"no Jalali date {year}/{month}/{day}")
    return found
