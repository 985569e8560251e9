"""The notifications an agent may see now: their own, and none about a ticket they
can no longer read (a ticket moved to another team takes its notifications along)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from helpdesk.models import Agent, Role
from helpdesk.notifications.models import Notification


def readable(user_id: int, *, in_app: bool = True) -> QuerySet[Notification]:
    """The user's notifications (in-desk ones unless `in_app=False`) whose ticket, if
    any, they may read now.

    The rule of helpdesk.staff.access (the ticket's team, or an admin), as a
    subquery: one query for the agent's role, none for their teams.
    """
    mine = Notification.objects.filter(recipient_id=user_id)
    if in_app:
        mine = mine.filter(in_app=True)
    found = Agent.objects.filter(user_id=user_id).values_list("role", "user__is_superuser").first()
    if found is None:
        return mine.none()
    role, superuser = found
    if role == Role.ADMIN or superuser:
        return mine
    teams = Agent.teams.through.objects.filter(agent__user_id=user_id).values("team_id")
    return mine.filter(Q(ticket__isnull=True) | Q(ticket__team_id__in=teams))
