from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from helpdesk.staff.access import agent_of


class AgentTimezoneMiddleware:
    """Show times in the agent's own zone (stored in UTC), default DISPLAY_TIME_ZONE,
    and the inbox in the agent's own language (`Agent.language`) over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        agent = agent_of(request.user) if hasattr(request, "user") else None
        name = agent.time_zone if agent else settings.DISPLAY_TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
        if agent is not None and agent.language in dict(settings.LANGUAGES):
            translation.activate(agent.language)
            request.LANGUAGE_CODE = agent.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
