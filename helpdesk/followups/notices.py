"""What the receivers of a referral and the owners of a due task are told
(through the notification center, helpdesk.notifications).

A notification's title is stored as written, so each receiver gets it in their own
language: receivers are grouped by `Agent.language` and told once per language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk.followups.models import Referral, Task
from helpdesk.models import Agent


def tasks_url() -> str:
    try:
        return reverse("tasks")
    except NoReverseMatch:  # a project without the agents' screens
        return ""


def _by_language(user_id: int | None, team_id: int | None) -> dict[str, list[int]]:
    agents = Agent.objects.all()
    if user_id is not None:
        agents = agents.filter(user_id=user_id)
    elif team_id is not None:
        agents = agents.filter(teams=team_id)
    else:
        return {}
    groups: dict[str, list[int]] = defaultdict(list)
    for uid, language in agents.values_list("user_id", "language").distinct():
        groups[language or settings.LANGUAGE_CODE].append(uid)
    return groups


def _notify(
    groups: dict[str, list[int]], kind: str, title: Callable[[], str], **kwargs: object
) -> None:
    # The notification center is an app of its own; without it the task events
    # (to the agent's socket) are all there is.
    if not apps.is_installed("helpdesk.notifications"):
        return
    from helpdesk.notifications.actions import notify

    for language, user_ids in groups.items():
        with translation.override(language):
            notify(user_ids, kind, title=title(), **kwargs)  # type: ignore[arg-type]


def task_due(task: Task) -> None:
    """Remind the assignee (or, for an unassigned task, its team) that the task is due."""
    _notify(
        _by_language(task.assignee_id, task.team_id),
        "task_due",
        lambda: _("Task due: %(title)s") % {"title": task.title},
        ticket_id=task.ticket_id,
        body=task.notes[:500],
        url=tasks_url() if task.ticket_id is None else "",
        dedupe_key=f"task-due:{task.pk}:{task.due_at.isoformat() if task.due_at else ''}",
    )


def referred(referral: Referral, title: Callable[[], str]) -> None:
    """Tell the colleague (or every agent of the team) what was handed to them."""
    _notify(
        _by_language(referral.to_user_id, referral.to_team_id),
        "referral",
        title,
        ticket_id=referral.ticket_id,
        body=referral.note[:1000],
        url=tasks_url() if referral.ticket_id is None else "",
        actor_id=referral.from_user_id,
    )
