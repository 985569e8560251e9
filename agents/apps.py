from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    """The agents' screens: inbox, contacts, settings pages and their socket."""

    name = "agents"
    verbose_name = _("Agent workspace")
    default_auto_field = "django.db.models.BigAutoField"
