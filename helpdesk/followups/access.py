"""Who sees and works on which tasks (the ticket rule, extended to tasks).

An agent sees the tasks of their teams, the tasks assigned to them and the ones
they created; an admin sees every task. Whoever sees a task may work on it.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from helpdesk.followups.models import Task, TaskStatus
from helpdesk.staff.access import AnyUser, agent_of, is_admin, team_ids


def visible_tasks(user: AnyUser) -> QuerySet[Task]:
    """The tasks `user` may read and change."""
    if is_admin(user):
        return Task.objects.all()
    if agent_of(user) is None:
        return Task.objects.none()
    return Task.objects.filter(
        Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
    )


def can_see_task(user: AnyUser, task: Task) -> bool:
    if is_admin(user):
        return True
    if agent_of(user) is None:
        return False
    return (
        task.team_id in team_ids(user)
        or task.assignee_id == user.pk
        or task.created_by_id == user.pk
    )


class TaskList:
    """The named lists of the tasks page (and their live counts)."""

    MINE = "mine"
    TEAM = "team"
    OVERDUE = "overdue"
    DONE = "done"
    ALL = (MINE, TEAM, OVERDUE, DONE)


def task_list(user: AnyUser, name: str) -> QuerySet[Task]:
    """The tasks of one list: mine (assigned to me), team (my teams', anyone's or
    nobody's), overdue (mine or my teams' past due), done (recently finished)."""
    tasks = visible_tasks(user)
    active = tasks.filter(status__in=TaskStatus.active())
    if name == TaskList.MINE:
        return active.filter(assignee_id=user.pk)
    if name == TaskList.TEAM:
        return active.filter(team_id__in=team_ids(user)) if not is_admin(user) else active
    if name == TaskList.OVERDUE:
        return active.filter(due_at__lte=timezone.now())
    return tasks.filter(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]).order_by(
        "-completed_at", "-id"
    )


def counts(user: AnyUser) -> dict[str, int]:
    """mine / team / overdue counts in one query."""
    ids = team_ids(user)
    now = timezone.now()
    team = Count("id") if is_admin(user) else Count("id", filter=Q(team_id__in=ids))
    row = (
        visible_tasks(user)
        .filter(status__in=TaskStatus.active())
        .aggregate(
            mine=Count("id", filter=Q(assignee_id=user.pk)),
            team=team,
            overdue=Count("id", filter=Q(due_at__lte=now)),
        )
    )
    return {key: int(row[key] or 0) for key in ("mine", "team", "overdue")}
