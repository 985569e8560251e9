"""Template filters of the reports pages: durations and figures in the page's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.translation import gettext as _

from agents.templatetags.desk import localize_digits
from helpdesk.digits import persian_digits
from helpdesk.jalali import to_jalali

register = template.Library()


@register.filter
def duration(seconds: Any) -> str:
    """{{ s|duration }}: "2h 05m" / "45m" / "30s", Persian digits in Persian; "—" for none."""
    if seconds is None or seconds == "":
        return "—"
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    elif minutes:
        text = _("%(m)dm") % {"m": minutes}
    else:
        text = _("%(s)ds") % {"s": secs}
    return localize_digits(text)


@register.filter
def figure(value: Any, unit: str = "") -> str:
    """A KPI's value: durations for "s", a percentage for "%", "—" when there is none."""
    if value is None:
        return "—"
    if unit == "s":
        return duration(value)
    if isinstance(value, float):
        value = f"{value:.1f}".removesuffix(".0")
    return localize_digits(f"{value}{unit}")


@register.filter
def signed(value: Any) -> str:
    """A change in percent with its sign (+12.5%), Persian digits in Persian.

    Isolated left-to-right (LRI ... PDI): in a Persian sentence the bidi algorithm
    would otherwise set the sign apart from the number ("+%12.5").
    """
    if value is None:
        return ""
    return "\u2066" + localize_digits(f"{float(value):+.1f}%") + "\u2069"


@register.filter
def jalali_day(value: date) -> str:
    """A date as the Jalali picker writes it: 1405/08/13 in Persian digits."""
    y, m, d = to_jalali(value)
    return persian_digits(f"{y}/{m:02d}/{d:02d}")


@register.filter
def percent(rate: Any) -> str:
    """A 0..1 rate as a percentage."""
    if rate is None:
        return "—"
    return localize_digits(f"{100 * float(rate):.1f}%".replace(".0%", "%"))
