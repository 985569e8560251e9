"""Third-party apps under names the admin shows translated (their own are English only)."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # axes ships no types
    verbose_name = _("Login lockouts")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]
