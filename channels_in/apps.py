from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsInConfig(AppConfig):
    name = "channels_in"
    label = "channels_in"
    verbose_name = _("Channels")
    default_auto_field = "django.db.models.BigAutoField"
