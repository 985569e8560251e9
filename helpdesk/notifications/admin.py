"""Admin: notifications (read-only, for support) and agents' preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpdesk.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "email_state")
    list_filter = ("kind", "email_state")
    search_fields = ("title", "recipient__username")
    # Made only by notify() (which checks who may read the ticket): read-only here.
    readonly_fields = (
        "recipient",
        "kind",
        "ticket",
        "actor",
        "title",
        "body",
        "url",
        "dedupe_key",
        "in_app",
        "desktop",
        "email_state",
        "created_at",
        "read_at",
        "emailed_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "kind", "in_app", "desktop", "email")
    list_filter = ("kind",)
    raw_id_fields = ("user",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin[NotificationSettings]):
    list_display = ("user", "desktop", "sound", "working_hours")
    raw_id_fields = ("user",)
