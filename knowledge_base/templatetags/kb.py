"""Template filters of the portal."""

from __future__ import annotations

from django import template

from knowledge_base.models import Category

register = template.Library()


@register.filter
def kb_name(category: Category, locale: str) -> str:
    return category.name(locale)


@register.filter
def kb_description(category: Category, locale: str) -> str:
    return category.description(locale)
