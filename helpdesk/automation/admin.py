"""Admin for rules, business hours and per-inbox automatic answers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from helpdesk.automation import options
from helpdesk.automation.admin_forms import BusinessHoursForm, InboxAutomationForm, RuleForm
from helpdesk.automation.engine import dry_run
from helpdesk.automation.holiday_import import import_holidays_view
from helpdesk.models import BusinessHours, InboxAutomation, Rule, Ticket


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RuleForm
    list_display = ["name", "trigger", "position", "enabled", "stop_processing"]
    list_editable = ["position", "enabled"]
    list_filter = ["trigger", "enabled"]
    change_form_template = "admin/helpdesk/rule/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:rule_id>/dry-run/",
                self.admin_site.admin_view(self.dry_run_view),
                name="helpdesk_rule_dry_run",
            )
        ]
        return extra + super().get_urls()

    def dry_run_view(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        """Show what the rule would do on a ticket (?ticket=N), changing nothing."""
        rule = get_object_or_404(Rule, pk=rule_id)
        result = None
        number = request.GET.get("ticket", "")
        if number.isdigit():
            ticket = get_object_or_404(Ticket, pk=int(number))
            result = dry_run(rule, ticket)
        lists = options.option_lists()
        context = {
            **self.admin_site.each_context(request),
            "opts": Rule._meta,
            "rule": rule,
            "result": result,
            "conditions": [
                (options.describe_condition(c, lists), c["holds"])
                for c in (result.conditions if result else [])
            ],
            "actions": [options.describe_action(a, lists) for a in rule.actions],
            "ticket_number": number,
            "title": _("Dry run: %(rule)s") % {"rule": rule.name},
        }
        return TemplateResponse(request, "automation/dry_run.html", context)


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = BusinessHoursForm
    list_display = ["name", "time_zone"]
    change_form_template = "admin/helpdesk/businesshours/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:hours_id>/import-holidays/",
                self.admin_site.admin_view(self.import_holidays),
                name="helpdesk_businesshours_import_holidays",
            )
        ]
        return extra + super().get_urls()

    def import_holidays(self, request: HttpRequest, hours_id: int) -> HttpResponse:
        """Add Iran's official holidays of a Jalali year to these business hours."""
        return import_holidays_view(self, request, hours_id)


@admin.register(InboxAutomation)
class InboxAutomationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = InboxAutomationForm
    list_display = ["inbox", "business_hours", "acknowledge", "suggest_articles"]

    def get_fieldsets(self, request: HttpRequest, obj: InboxAutomation | None = None) -> Any:
        # One group per template, its languages side by side in the group.
        templates = [
            (label, {"fields": InboxAutomationForm.template_fields(field)})
            for field, label in InboxAutomationForm.TEMPLATES
        ]
        return [
            (None, {"fields": ["inbox", "business_hours", "acknowledge"]}),
            *templates,
            (
                _("Articles and limits"),
                {"fields": ["suggest_articles", "suggestion_threshold", "max_automatic_per_hour"]},
            ),
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        # The per-language fields are added by the form itself, not by the model.
        kw["fields"] = InboxAutomationForm.Meta.fields
        return super().get_form(request, obj, change, **kw)
