"""Template helpers of the inbox: Persian digits, Jalali dates, lookups, the top bar's links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from helpdesk import jalali
from helpdesk.digits import persian_digits
from helpdesk.staff.access import is_admin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


@register.simple_tag
def url_or_none(name: str, *args: Any) -> str:
    """{% url_or_none 'reports' as reports_url %}: the URL, or "" when no such route exists.

    The top bar links pages other apps may or may not install (reports, the call log)
    without failing when they are absent.
    """
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class NavItem:
    key: str
    url: str
    label: StrOrPromise
    icon: str


@register.simple_tag(takes_context=True)
def desk_nav(context: template.Context) -> list[NavItem]:
    """The top bar's destinations this user may open; a page whose app is absent is left out."""
    from agents.views.slots import channel_pages

    user = context.get("user")
    if user is None:
        return []
    items = [
        NavItem("inbox", reverse("home"), _("Inbox"), "inbox"),
        NavItem("contacts", reverse("contacts"), _("Contacts"), "people"),
    ]
    items += [NavItem(url, url, label, "telephone") for url, label in channel_pages()]
    if is_admin(user):
        kb = url_or_none("kb:manage")
        if kb:
            items.append(NavItem("kb", kb, _("Knowledge base"), "book"))
    tasks = url_or_none("tasks")
    if tasks:
        items.append(NavItem("tasks", tasks, _("Tasks"), "alarm"))
    reports = url_or_none("reports")
    if reports:
        items.append(NavItem("reports", reports, _("Reports"), "clipboard-data"))
    if getattr(user, "is_staff", False):
        items.append(NavItem("settings", reverse("admin:index"), _("Settings"), "gear"))
    return items


@register.filter
def is_current(item: NavItem, path: str) -> bool:
    """The item whose page is open (the inbox also owns /t/… ticket pages)."""
    if item.key == "inbox":
        return path == item.url or path.startswith("/t/")
    if item.key == "contacts":
        return path.startswith((item.url, "/c/"))
    return path.startswith(item.url)


@register.filter
def delivery_reason(raw: str) -> str:
    """{{ m.delivery_error|delivery_reason }}: the sender's raw error as a translated reason."""
    from agents.delivery_reasons import delivery_reason as reason

    return reason(raw or "")


@register.filter
def bs(field: Any) -> str:
    """{{ field|bs }}: a form field's widget with Bootstrap's classes (and is-invalid)."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    if kind == "select" or getattr(widget, "allow_multiple_selected", None) is not None:
        css = "form-select"
    elif kind == "checkbox":
        css = "form-check-input"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return str(field.as_widget(attrs={"class": css}))
