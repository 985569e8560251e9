from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MacrosConfig(AppConfig):
    """Macros: named sequences of ticket actions applied in one click (docs/tasks.md)."""

    name = "helpdesk.macros"
    label = "macros"
    verbose_name = _("Macros")
    default_auto_field = "django.db.models.BigAutoField"
