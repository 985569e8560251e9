"""Template filters for typed custom attributes: shown values and form input values."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from helpdesk.digits import persian_digits
from helpdesk.jalali import long_date, to_jalali
from helpdesk.models import AttributeDefinition, AttributeType

register = template.Library()


def _persian() -> bool:
    return (get_language() or "").startswith("fa")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def attr_display(value: Any, defn: AttributeDefinition) -> str:
    """A stored value as a reader sees it (Jalali dates and Persian digits in Persian)."""
    if value is None or value == "":
        return "—"
    if defn.type == AttributeType.CHECKBOX:
        return _("Yes") if value else _("No")
    if defn.type == AttributeType.DATE and (day := _day(value)):
        return long_date(day) if _persian() else day.strftime("%d %b %Y")
    text = str(value)
    if defn.type == AttributeType.NUMBER and _persian():
        return persian_digits(text)
    return text


@register.filter
def attr_input(value: Any, defn: AttributeDefinition) -> str:
    """A stored value as the edit form shows it (a date as the picker writes it)."""
    if value is None:
        return ""
    if defn.type == AttributeType.DATE and (day := _day(value)):
        if _persian():
            y, m, d = to_jalali(day)
            return persian_digits(f"{y:04d}/{m:02d}/{d:02d}")
        return day.isoformat()
    if defn.type == AttributeType.CHECKBOX:
        return "yes" if value else "no"
    return str(value)
