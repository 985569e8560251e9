"""Rendering helpers shared by the portal views."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from knowledge_base.access import can_edit_articles, can_read_internal
from knowledge_base.models import Article, Locale, Status, Visibility

LOCALES = [c.value for c in Locale]


def other_locale(locale: str) -> str:
    return Locale.EN if locale == Locale.FA else Locale.FA


def render_portal(
    request: HttpRequest,
    locale: str,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a portal page in the URL's language (RTL for Persian)."""
    with translation.override(locale):
        base = {
            "locale": locale,
            "rtl": locale == Locale.FA,
            "other_locale": other_locale(locale),
            "switch_url": context.pop("switch_url", None) or f"/help/{other_locale(locale)}/",
        }
        return render(request, template, base | context, status=status)


def visible_articles(request: HttpRequest, locale: str) -> QuerySet[Article]:
    """Articles this visitor may read: public ones; agents also internal; editors drafts."""
    qs = Article.objects.filter(locale=locale)
    if can_edit_articles(request.user):
        return qs.exclude(status=Status.ARCHIVED)
    qs = qs.filter(status=Status.PUBLISHED)
    if not can_read_internal(request.user):
        qs = qs.filter(visibility=Visibility.PUBLIC)
    return qs


def public_articles(locale: str) -> QuerySet[Article]:
    return Article.objects.filter(
        locale=locale, status=Status.PUBLISHED, visibility=Visibility.PUBLIC
    )
