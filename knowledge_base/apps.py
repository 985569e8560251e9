from __future__ import annotations

from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledge_base"
    default_auto_field = "django.db.models.BigAutoField"
