from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """Installed so that `manage.py seed_demo` (which touches every app) lives above them all."""

    name = "config"
    label = "project"
    verbose_name = _("Project")
