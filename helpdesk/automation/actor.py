"""The user automation acts as, so its changes go through the same actions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "automation"


def system_actor() -> Any:
    """An inactive admin user named "automation" (it can never log in).

    Looked up once per few seconds per process (rules run on every message);
    only a user that already existed is remembered, never one created by a
    transaction that may still roll back.
    """
    from helpdesk.automation import config_cache

    existing = config_cache.cached(("system-actor", None), _existing)
    return existing if existing is not None else _get_or_create()


def _existing() -> Any:
    return (
        get_user_model()
        .objects.filter(username=SYSTEM_USERNAME, agent__isnull=False)
        .select_related("agent")
        .first()
    )


def _get_or_create() -> Any:
    from helpdesk.models import Agent, Role

    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Agent.objects.get_or_create(
        user=user, defaults={"role": Role.ADMIN, "display_name": "Automation"}
    )
    return user
