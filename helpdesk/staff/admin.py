"""Django admin for agents (also inline on the user), API tokens and assignment policies.

API tokens show their prefix only: the stored SHA-256 never leaves the database,
and new tokens are issued with `manage.py create_api_token USERNAME`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from helpdesk.models import Agent, ApiToken, AssignmentPolicy


class AgentInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Agent
    can_delete = False
    fields = ["display_name", "role", "teams", "language", "time_zone", "max_open_tickets"]
    filter_horizontal = ["teams"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [AgentInline]
    list_display = ["username", "email", "agent_role", "is_staff", "is_active"]
    list_select_related = ["agent"]

    @admin.display(description="role")
    def agent_role(self, user: Any) -> str:
        agent = getattr(user, "agent", None)
        return agent.get_role_display() if agent else "-"


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "user", "role", "language", "time_zone", "presence"]
    list_filter = ["role", "teams", "language"]
    search_fields = ["display_name", "user__username", "user__email"]
    list_select_related = ["user"]
    fields = [
        "user",
        "display_name",
        "role",
        "teams",
        "language",
        "time_zone",
        "max_open_tickets",
        "presence",
    ]
    readonly_fields = ["presence"]  # presence changes through agents' own actions
    filter_horizontal = ["teams"]
    autocomplete_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["prefix_shown", "user", "name", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    fields = ["prefix_shown", "user", "name", "created_at", "last_used_at"]
    readonly_fields = ["prefix_shown", "user", "created_at", "last_used_at"]

    @admin.display(description="token")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # issued by `manage.py create_api_token`, which shows the secret once


@admin.register(AssignmentPolicy)
class AssignmentPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Automatic assignment per team (see docs/inbox.md)."""

    list_display = ["team", "mode", "max_open_per_agent"]
    list_select_related = ["team"]
    fields = ["team", "mode", "max_open_per_agent"]
