"""Access changes reach open sockets within a moment, not at the next reconnect.

What a user may read changes when their account is deactivated or deleted, their
agent profile goes, their role or superuser flag or their teams change, a team is
created (admins read every team), or a ticket moves to another team. Each of these
sends, on commit, a small control message (`desk.access_changed`, no client
frame) to the sockets concerned: the personal group `agent.<user id>`, or
`ticket.<id>` for a moved ticket. The agent consumer then re-reads the user's
access in a database thread: it leaves the groups it may no longer read (and drops
a watched ticket it can no longer open), joins new ones, or closes with 4403 when
the user is no longer an active agent (docs/inbox.md).

The changes are caught where they all pass: model signals (the admin, the shell,
the demo loader and actions alike) and the event hook for `ticket.team_changed`,
so no action and no admin form needs to remember it. Delivery is at-most-once
like every frame, which is why `resume` and `watch` read access fresh from the
database each time instead of trusting the socket's copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from helpdesk import events
from helpdesk.models import Agent, Role, Team, TicketEvent

ACCESS_CHANGED = "desk.access_changed"  # the consumer's handler: desk_access_changed

# Saving only these fields of a user or agent cannot change what they may read.
_USER_ACCESS_FIELDS = {"is_active", "is_superuser"}
_AGENT_ACCESS_FIELDS = {"role", "user"}


def publish_access_changed(groups: Iterable[str], reason: str) -> None:
    """Tell the sockets in `groups` to re-check their access once the transaction commits."""
    targets = sorted(set(groups))
    if not targets:
        return
    message = events.control_message(ACCESS_CHANGED, {"reason": reason})
    transaction.on_commit(partial(events.publish, targets, message), robust=True)


def _agents(user_ids: Iterable[int], reason: str) -> None:
    publish_access_changed((f"agent.{i}" for i in user_ids), reason)


def _touches(update_fields: Any, fields: set[str]) -> bool:
    return update_fields is None or bool(fields & set(update_fields))


def _user_saved(instance: Any, created: bool, update_fields: Any, **_: Any) -> None:
    if not created and _touches(update_fields, _USER_ACCESS_FIELDS):
        _agents([instance.pk], "user")


def _user_deleted(instance: Any, **_: Any) -> None:
    _agents([instance.pk], "user")


def _agent_saved(instance: Agent, created: bool, update_fields: Any, **_: Any) -> None:
    if not created and _touches(update_fields, _AGENT_ACCESS_FIELDS):
        _agents([instance.user_id], "agent")


def _agent_deleted(instance: Agent, **_: Any) -> None:
    _agents([instance.user_id], "agent")


def _teams_changed(
    instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_: Any
) -> None:
    """Agent.teams changed, from the agent's side (agent.teams) or the team's (team.agents)."""
    if reverse and action == "pre_clear":  # afterwards nobody knows who was in the team
        instance._access_clearing = list(instance.agents.values_list("user_id", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        user_ids: Iterable[int] = [instance.user_id]
    elif action == "post_clear":
        user_ids = getattr(instance, "_access_clearing", [])
    else:
        user_ids = Agent.objects.filter(pk__in=pk_set or ()).values_list("user_id", flat=True)
    _agents(list(user_ids), "teams")


def _team_created(instance: Team, created: bool, **_: Any) -> None:
    if created:  # admins read every team: their sockets join the new team's group
        admins = Agent.objects.filter(Q(role=Role.ADMIN) | Q(user__is_superuser=True))
        _agents(list(admins.values_list("user_id", flat=True)), "team")


def _event_recorded(event: TicketEvent) -> None:
    if event.type == events.EventType.TICKET_TEAM_CHANGED and event.ticket_id:
        publish_access_changed([f"ticket.{event.ticket_id}"], "ticket_moved")


def install() -> None:
    """Connect the signal receivers and the event hook (HelpdeskConfig.ready)."""
    user_model = get_user_model()
    uid = "helpdesk.staff.access_changes"
    post_save.connect(_user_saved, sender=user_model, dispatch_uid=f"{uid}.user_saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid=f"{uid}.user_deleted")
    post_save.connect(_agent_saved, sender=Agent, dispatch_uid=f"{uid}.agent_saved")
    post_delete.connect(_agent_deleted, sender=Agent, dispatch_uid=f"{uid}.agent_deleted")
    m2m_changed.connect(
        _teams_changed, sender=Agent.teams.through, dispatch_uid=f"{uid}.teams_changed"
    )
    post_save.connect(_team_created, sender=Team, dispatch_uid=f"{uid}.team_created")
    if _event_recorded not in events.recorded_hooks:
        events.recorded_hooks.append(_event_recorded)
