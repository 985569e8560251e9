from __future__ import annotations

from django.contrib import admin

from helpdesk.followups.models import Referral, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    """Read-mostly: tasks are worked in the desk (actions record their events)."""

    list_display = ("title", "kind", "status", "due_at", "assignee", "team", "ticket")
    list_filter = ("status", "kind", "team")
    search_fields = ("title", "call_number")
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin[Referral]):
    list_display = ("created_at", "ticket", "task", "from_user", "to_user", "to_team")
    readonly_fields = [f.name for f in Referral._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
