"""Admin: notifications (read-only, for support) and agents' preferences."""

from __future__ import annotations

from django.contrib import admin

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
    raw_id_fields = ("recipient", "ticket", "actor")
    readonly_fields = ("created_at", "emailed_at")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "kind", "in_app", "desktop", "email")
    list_filter = ("kind",)
    raw_id_fields = ("user",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin[NotificationSettings]):
    list_display = ("user", "desktop", "sound", "working_hours")
    raw_id_fields = ("user",)
