"""Template helpers of the inbox: Persian digits, dictionary lookup."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

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


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """{{ counts|get:key }}"""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0
