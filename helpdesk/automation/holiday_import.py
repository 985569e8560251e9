"""The admin page that adds Iran's official holidays of a Jalali year to business hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from helpdesk.automation.iran_holidays import official_holidays
from helpdesk.jalali import long_date, to_jalali
from helpdesk.models import BusinessHours


class YearForm(forms.Form):
    # hijridate's Umm al-Qura tables cover 1343-1500 AH, about 1304-1455 in the Jalali calendar.
    year = forms.IntegerField(label=gettext_lazy("Year (Jalali)"), min_value=1305, max_value=1454)


def _shown(holidays: list[Any]) -> list[tuple[str, str]]:
    persian = (get_language() or "").startswith("fa")
    return [(long_date(h.day) if persian else h.day.isoformat(), h.name) for h in holidays]


def import_holidays_view(
    model_admin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    hours_id: int,
) -> HttpResponse:
    """GET previews the year's holidays; POST adds them to the business hours' holidays."""
    hours = get_object_or_404(BusinessHours, pk=hours_id)
    if not model_admin.has_change_permission(request, hours):
        raise PermissionDenied
    this_year = to_jalali(timezone.localdate())[0]
    form = YearForm(request.POST or request.GET or {"year": this_year})
    holidays = official_holidays(form.cleaned_data["year"]) if form.is_valid() else []
    if request.method == "POST" and form.is_valid():
        before = set(hours.holidays or [])
        hours.holidays = sorted(before | {h.day.isoformat() for h in holidays})
        hours.save(update_fields=["holidays"])
        added = len(hours.holidays) - len(before)
        model_admin.message_user(
            request,
            ngettext("%d holiday added.", "%d holidays added.", added) % added,
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:helpdesk_businesshours_change", args=[hours.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": BusinessHours._meta,
        "original": hours,
        "form": form,
        "holidays": _shown(holidays),
        "title": _("Import Iran's official holidays"),
    }
    return TemplateResponse(request, "automation/import_holidays.html", context)
