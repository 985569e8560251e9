from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Help desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk import (
            checks,  # noqa: F401  (registers system checks)
            ingest,
        )
        from helpdesk.automation import admin as automation_admin  # noqa: F401
        from helpdesk.automation import hooks
        from helpdesk.staff import access_changes, assignment, signals
        from helpdesk.staff import admin as staff_admin  # noqa: F401

        hooks.install()
        access_changes.install()
        assignment.install(ingest.inbound_rules)
        signals.install()
