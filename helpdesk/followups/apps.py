from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    """Follow-up tasks, referrals and task reminders (docs/tasks.md)."""

    name = "helpdesk.followups"
    label = "followups"
    verbose_name = _("Tasks and referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk.followups import admin, callbacks  # noqa: F401  (registers)

        callbacks.install()
