"""Routes of the notification center's screens (mounted by config/urls.py)."""

from __future__ import annotations

from django.urls import path

from agents.views import notifications

urlpatterns = [
    path("notifications/", notifications.page, name="notifications"),
    path("notifications/menu/", notifications.menu, name="notifications_menu"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
    path("me/notifications/", notifications.preferences, name="notification_preferences"),
    path(
        "t/<int:ticket_id>/mentions/",
        notifications.mention_candidates,
        name="mention_candidates",
    ),
]
