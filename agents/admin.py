"""Django admin for the inbox's own data: canned responses."""

from __future__ import annotations

from django.contrib import admin

from agents.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Canned responses: personal (owner set) or shared (with a team, or everyone)."""

    list_display = ["shortcut", "title", "owner", "team"]
    list_filter = ["team"]
    search_fields = ["shortcut", "title", "body"]
    list_select_related = ["owner", "team"]
    autocomplete_fields = ["owner"]
