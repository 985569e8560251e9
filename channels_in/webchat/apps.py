from __future__ import annotations

from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "channels_in.webchat"
    label = "channel_webchat"
    default_auto_field = "django.db.models.BigAutoField"
