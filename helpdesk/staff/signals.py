"""A superuser is always an admin agent, so `createsuperuser` gives a working inbox."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from helpdesk.models import Agent, Role


def give_superusers_an_agent_profile(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A superuser without an agent profile gets one with the admin role."""
    if raw or not instance.is_superuser:
        return
    Agent.objects.get_or_create(user=instance, defaults={"role": Role.ADMIN})


def install() -> None:
    post_save.connect(
        give_superusers_an_agent_profile,
        sender=get_user_model(),
        dispatch_uid="helpdesk-superuser-agent",
    )
