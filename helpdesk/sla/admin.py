"""Admin for SLA policies (targets per priority inline) and time rules."""

from __future__ import annotations

from django.contrib import admin

from helpdesk.sla.admin_forms import SlaPolicyForm, TimeRuleForm
from helpdesk.sla.models import SlaPolicy, SlaTarget, TimeRule


class SlaTargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SlaTarget
    extra = 0
    min_num = 1
    fields = ["priority", "first_response_minutes", "next_response_minutes", "resolution_minutes"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SlaPolicyForm
    inlines = [SlaTargetInline]
    list_display = ["name", "position", "enabled", "business_hours"]
    list_editable = ["position", "enabled"]


@admin.register(TimeRule)
class TimeRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TimeRuleForm
    list_display = ["name", "trigger", "amount", "position", "enabled"]
    list_editable = ["position", "enabled"]
    list_filter = ["trigger", "enabled"]
