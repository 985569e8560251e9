"""Admin for SLA policies (targets per priority inline) and time rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.sla.admin_forms import SlaContactConditionForm, SlaPolicyForm, TimeRuleForm
from helpdesk.sla.models import SlaContactCondition, SlaPolicy, SlaTarget, TimeRule


class SlaTargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SlaTarget
    extra = 0
    min_num = 1
    fields = ["priority", "first_response_minutes", "next_response_minutes", "resolution_minutes"]


class SlaContactConditionInline(admin.TabularInline):  # type: ignore[type-arg]
    """Conditions on the contact's custom attributes (all must hold), as rows."""

    model = SlaContactCondition
    form = SlaContactConditionForm
    extra = 0
    fields = ["key", "op", "value"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SlaPolicyForm
    inlines = [SlaTargetInline, SlaContactConditionInline]
    list_display = ["name", "position", "enabled", "business_hours"]
    list_editable = ["position", "enabled"]
    actions = ["start_open_tickets"]

    @admin.action(description=gettext_lazy("Start the clocks of open tickets that have none"))
    def start_open_tickets(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Tickets opened before the first policy or time rule get their clocks now."""
        from helpdesk.automation import config_cache
        from helpdesk.sla.hooks import track_open_tickets

        config_cache.clear()
        count = track_open_tickets(timezone.now())
        self.message_user(
            request, _("Clocks started on %(n)s open tickets.") % {"n": count}, messages.SUCCESS
        )


@admin.register(TimeRule)
class TimeRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TimeRuleForm
    list_display = ["name", "trigger", "amount", "position", "enabled"]
    list_editable = ["position", "enabled"]
    list_filter = ["trigger", "enabled"]
