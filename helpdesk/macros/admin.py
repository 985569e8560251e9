from __future__ import annotations

from django.contrib import admin

from helpdesk.macros.models import Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin[Macro]):
    list_display = ("name", "owner", "shared_with_team", "status", "priority", "assign")
    list_filter = ("shared_with_team",)
    search_fields = ("name",)
    autocomplete_fields = ()
    fieldsets = (
        (None, {"fields": ("name", "owner", "shared_with_team")}),
        ("Messages", {"fields": ("reply_template", "note_template")}),
        (
            "Ticket",
            {
                "fields": (
                    "add_tags",
                    "remove_tags",
                    "status",
                    "priority",
                    "move_to_team",
                    "assign",
                    "assignee",
                )
            },
        ),
    )
