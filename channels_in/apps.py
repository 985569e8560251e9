from __future__ import annotations

from django.apps import AppConfig


class ChannelsInConfig(AppConfig):
    name = "channels_in"
    label = "channels_in"
    default_auto_field = "django.db.models.BigAutoField"
