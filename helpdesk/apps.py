from __future__ import annotations

from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Help desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk import checks  # noqa: F401  (registers system checks)
