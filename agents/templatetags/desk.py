"""Template helpers of the inbox: Persian digits, Jalali dates, dictionary lookup."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

from helpdesk import jalali
from helpdesk.digits import persian_digits

register = template.Library()


def localize_digits(value: Any, language: str | None = None) -> str:
    """`value` as text, with Persian digits when the language is Persian."""
    text = "" if value is None else str(value)
    lang = language or get_language() or ""
    return persian_digits(text) if lang.startswith("fa") else text


@register.filter
def digits(value: Any) -> str:
    """{{ n|digits }}: Persian digits in the Persian UI (numbers, dates, counts)."""
    return localize_digits(value)


def _persian() -> bool:
    return (get_language() or "").startswith("fa")


@register.filter
def when(value: datetime | None) -> str:
    """{{ at|when }}: date and time, Jalali with Persian digits in the Persian UI."""
    if value is None:
        return ""
    if _persian():
        return jalali.short_datetime(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


@register.filter
def day(value: date | datetime | None) -> str:
    """{{ at|day }}: a date in words ("3 Azar 1405" in Persian, the locale's date otherwise)."""
    if value is None:
        return ""
    if _persian():
        return jalali.long_date(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """{{ counts|get:key }}"""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0
