"""Admin for rules, business hours and per-inbox automatic answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from helpdesk.automation import conditions, rule_actions
from helpdesk.automation.engine import dry_run
from helpdesk.models import BusinessHours, InboxAutomation, Rule, Ticket


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Rule
        fields = [
            "name",
            "enabled",
            "position",
            "trigger",
            "hours",
            "conditions",
            "actions",
            "stop_processing",
        ]

    def clean_conditions(self) -> Any:
        value = self.cleaned_data["conditions"]
        try:
            conditions.validate(value or [])
        except conditions.InvalidCondition as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value

    def clean_actions(self) -> Any:
        value = self.cleaned_data["actions"]
        try:
            rule_actions.validate(value or [])
        except rule_actions.InvalidAction as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RuleForm
    list_display = ["name", "trigger", "position", "enabled", "stop_processing"]
    list_editable = ["position", "enabled"]
    list_filter = ["trigger", "enabled"]

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
        context = {
            **self.admin_site.each_context(request),
            "rule": rule,
            "result": result,
            "ticket_number": number,
            "title": f"Dry run: {rule.name}",
        }
        return TemplateResponse(request, "automation/dry_run.html", context)


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "time_zone"]


@admin.register(InboxAutomation)
class InboxAutomationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["inbox", "business_hours", "acknowledge", "suggest_articles"]
