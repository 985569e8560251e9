from __future__ import annotations

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Installed so that `manage.py seed_demo` (which touches every app) lives above them all."""

    name = "config"
    label = "project"
    verbose_name = "Project"
