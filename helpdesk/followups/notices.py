"""What the receivers of a referral and the owners of a due task are told
(through the notification center, helpdesk.notifications)."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from helpdesk.followups.models import Referral, Task
from helpdesk.models import Agent


def _notify(recipients: Iterable[int], kind: str, **kwargs: object) -> None:
    # The notification center is an app of its own; without it the task events
    # (to the agent's socket) are all there is.
    if not apps.is_installed("helpdesk.notifications"):
        return
    from helpdesk.notifications.actions import notify

    notify(recipients, kind, **kwargs)  # type: ignore[arg-type]


def tasks_url() -> str:
    try:
        return reverse("tasks")
    except NoReverseMatch:  # a project without the agents' screens
        return ""


def _receivers(user_id: int | None, team_id: int | None) -> list[int]:
    if user_id is not None:
        return [user_id]
    if team_id is None:
        return []
    return list(Agent.objects.filter(teams=team_id).values_list("user_id", flat=True))


def task_due(task: Task) -> None:
    """Remind the assignee (or, for an unassigned task, its team) that the task is due."""
    _notify(
        _receivers(task.assignee_id, task.team_id),
        "task_due",
        ticket_id=task.ticket_id,
        title=_("Task due: %(title)s") % {"title": task.title},
        body=task.notes[:500],
        url=tasks_url() if task.ticket_id is None else "",
        dedupe_key=f"task-due:{task.pk}:{task.due_at.isoformat() if task.due_at else ''}",
    )


def referred(referral: Referral, title: str) -> None:
    """Tell the colleague (or every agent of the team) what was handed to them."""
    _notify(
        _receivers(referral.to_user_id, referral.to_team_id),
        "referral",
        ticket_id=referral.ticket_id,
        title=title,
        body=referral.note[:1000],
        url=tasks_url() if referral.ticket_id is None else "",
        actor_id=referral.from_user_id,
    )
