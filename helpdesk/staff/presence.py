"""Agent state: presence (online / away / offline), UI language and colour theme.

Presence is published as an ephemeral frame to the agent's teams; it is not an
audit event. Sockets are counted per agent in the cache so that closing the last
tab sets the agent offline (automatic assignment only picks online agents).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from helpdesk import events
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.models import Agent, Presence, Theme
from helpdesk.shared_cache import shared_cache
from helpdesk.staff.access import agent_of

_SOCKETS_KEY = "agents:sockets:{}"
_SOCKETS_TTL = 24 * 3600


def _agent(user: Any) -> Agent:
    agent = agent_of(user)
    if agent is None:
        raise NotFound("not an agent")
    return agent


def presence_groups(agent: Agent) -> list[str]:
    """Who hears an agent's presence: their teams and themselves (other tabs)."""
    ids = agent.teams.values_list("id", flat=True)
    return [f"team.{i}" for i in ids] + [f"agent.{agent.user_id}"]


def presence_frame(agent: Agent) -> dict[str, Any]:
    return events.ephemeral_frame(
        events.Ephemeral.PRESENCE,
        {"agent_id": agent.user_id, "name": str(agent), "presence": agent.presence},
    )


def do_set_presence(user: Any, presence: str) -> Agent:
    """Set the agent's presence and tell their teams."""
    if presence not in Presence.values:
        raise Invalid(f"unknown presence {presence!r}", field="presence")
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=_agent(user).pk)
        if agent.presence == presence:
            return agent
        agent.presence = presence
        agent.save(update_fields=["presence"])
        groups, frame = presence_groups(agent), presence_frame(agent)
        transaction.on_commit(lambda: events.publish(groups, frame), robust=True)
        return agent


def do_set_language(user: Any, language: str) -> Agent:
    """Set the language the agent's inbox is shown in."""
    if language not in dict(settings.LANGUAGES):
        raise Invalid(f"unknown language {language!r}", field="language")
    agent = _agent(user)
    Agent.objects.filter(pk=agent.pk).update(language=language)
    agent.language = language
    return agent


def do_set_theme(user: Any, theme: str) -> Agent:
    """Set the agent's colour theme (auto follows the system setting); every page uses it."""
    if theme not in Theme.values:
        raise Invalid(f"unknown theme {theme!r}", field="theme")
    agent = _agent(user)
    Agent.objects.filter(pk=agent.pk).update(theme=theme)
    agent.theme = theme
    return agent


def socket_opened(user: Any) -> Agent | None:
    """Count an agent's socket; the first one sets an offline agent online."""
    agent = agent_of(user)
    if agent is None:
        return None
    key = _SOCKETS_KEY.format(agent.user_id)
    shared_cache().add(key, 0, _SOCKETS_TTL)
    count = shared_cache().incr(key)
    if count == 1 and agent.presence == Presence.OFFLINE:
        return do_set_presence(user, Presence.ONLINE)
    return agent


def socket_closed(user: Any) -> None:
    """Uncount a socket; when the agent's last one closes, they go offline."""
    agent = agent_of(user)
    if agent is None:
        return
    key = _SOCKETS_KEY.format(agent.user_id)
    try:
        count = shared_cache().decr(key)
    except ValueError:
        count = 0
    if count <= 0:
        shared_cache().delete(key)
        do_set_presence(user, Presence.OFFLINE)
