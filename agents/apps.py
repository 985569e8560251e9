from __future__ import annotations

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """The agents' screens: inbox, contacts, settings pages and their socket."""

    name = "agents"
    default_auto_field = "django.db.models.BigAutoField"
