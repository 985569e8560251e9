"""Dates and digits in the portal: Jalali and Persian digits in Persian."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone, translation

from helpdesk import jalali
from helpdesk.digits import persian_digits

register = template.Library()


def _persian() -> bool:
    return (translation.get_language() or "").startswith("fa")


@register.filter
def portal_when(value: datetime | None) -> str:
    """`۱۴۰۵/۰۹/۰۳ ۱۴:۰۵` in Persian, the locale's short date and time otherwise."""
    if value is None:
        return ""
    if _persian():
        return jalali.short_datetime(value)
    return str(formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))


@register.filter
def portal_digits(value: Any) -> str:
    """Persian digits in Persian pages."""
    text = str(value)
    return persian_digits(text) if _persian() else text
