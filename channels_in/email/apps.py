from __future__ import annotations

from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "channels_in.email"
    label = "channel_email"
    default_auto_field = "django.db.models.BigAutoField"
