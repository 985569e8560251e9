"""Who the token belongs to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from helpdesk.api.schemas import MeOut
from helpdesk.api.serialize import agent_name
from helpdesk.staff.access import agent_of

router = Router(tags=["me"])


@router.get("/me", response=MeOut, summary="The caller: role and teams")
def me(request: HttpRequest) -> Any:
    user = request.user
    agent = agent_of(user)
    teams = list(agent.teams.order_by("name").values("id", "name")) if agent else []
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": agent_name(user),
        "role": agent.role if agent else None,
        "teams": teams,
        "language": agent.language if agent else settings.LANGUAGE_CODE,
        "time_zone": agent.time_zone if agent else settings.DISPLAY_TIME_ZONE,
    }
