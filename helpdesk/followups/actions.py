"""Task actions: create, change, finish. Every change records a typed event.

Lock order (docs/architecture.md): the linked ticket's row first, then the task's
row, the event sequence last. An event of a task linked to a ticket is recorded on
the ticket (its timeline shows it); otherwise on the task's team.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import Actor, check_ticket_readable
from helpdesk.actions.contacts import check_contact_readable
from helpdesk.actions.errors import Conflict, Forbidden, Invalid, NotFound
from helpdesk.event_schemas import TaskCreated, TaskEvent, TaskUpdated
from helpdesk.followups.access import can_see_task
from helpdesk.followups.models import Task, TaskKind, TaskStatus
from helpdesk.models import Team, Ticket
from helpdesk.staff.access import agent_of, is_admin, team_ids

MAX_TITLE = 200
MAX_NOTES = 10_000
EDITABLE = ("title", "notes", "due_at", "assignee_id", "team_id", "status")


def check_task(actor: Actor, task_id: int) -> Task:
    """The task, if the actor may see it; NotFound otherwise (no existence leak)."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None or not can_see_task(actor, task):
        raise NotFound(f"task {task_id} not found")
    return task


def _clean_title(title: str) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise Invalid("a task needs a title", field="title")
    if len(cleaned) > MAX_TITLE:
        raise Invalid(f"the title is longer than {MAX_TITLE} characters", field="title")
    return cleaned


def _clean_notes(notes: str) -> str:
    if len(notes or "") > MAX_NOTES:
        raise Invalid(f"the notes are longer than {MAX_NOTES} characters", field="notes")
    return notes or ""


def _clean_due(due_at: datetime | None) -> datetime | None:
    if due_at is not None and timezone.is_naive(due_at):
        raise Invalid("due_at needs a time zone", field="due_at")
    return due_at


def check_team(actor: Actor, team_id: int | None) -> None:
    """The team exists and the actor belongs to it (admins: any team)."""
    if team_id is None:
        return
    if not Team.objects.filter(pk=team_id).exists():
        raise Invalid(f"team {team_id} does not exist", field="team_id")
    if not is_admin(actor) and team_id not in team_ids(actor):
        raise Forbidden("you can only give tasks to your own teams")


def check_assignee(assignee_id: int | None, team_id: int | None, ticket: Ticket | None) -> None:
    """The assignee is an agent who can see the task's team and ticket."""
    if assignee_id is None:
        return
    user = get_user_model().objects.filter(pk=assignee_id).first()
    if user is None or agent_of(user) is None:
        raise Invalid(f"agent {assignee_id} does not exist", field="assignee_id")
    needed = team_id if team_id is not None else (ticket.team_id if ticket else None)
    if needed is not None and not is_admin(user) and needed not in team_ids(user):
        raise Invalid("the assignee is not in the task's team", field="assignee_id")


def task_event[E: TaskEvent](
    schema: type[E], task: Task, previous_assignee_id: int | None = None, **extra: Any
) -> E:
    """The event of `schema` describing the task now."""
    return schema(
        task_id=task.pk,
        title=task.title,
        status=task.status,
        kind=task.kind,
        due_at=task.due_at,
        assignee_id=task.assignee_id,
        previous_assignee_id=previous_assignee_id,
        team_id=task.team_id,
        ticket_id=task.ticket_id,
        contact_id=task.contact_id,
        **extra,
    )


def record_task_event(event: TaskEvent, task: Task, ticket: Ticket | None, actor: Actor) -> None:
    """On the ticket's timeline when there is one (locked by the caller), else the team's."""
    events.record(event, ticket=ticket, team_id=task.team_id, actor_id=actor.pk)


def do_create_task(
    actor: Actor,
    *,
    title: str,
    notes: str = "",
    due_at: datetime | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    ticket_id: int | None = None,
    contact_id: int | None = None,
    call_id: int | None = None,
    call_number: str = "",
    kind: str = TaskKind.FOLLOW_UP,
) -> Task:
    """Create a follow-up task, linked to a ticket, a contact and/or a call.

    A task on a ticket belongs to the ticket's team and contact unless told
    otherwise; a task with neither team nor assignee is the actor's own.
    """
    if kind not in TaskKind.values:
        raise Invalid(f"unknown kind {kind!r}", field="kind")
    title, notes, due_at = _clean_title(title), _clean_notes(notes), _clean_due(due_at)
    with transaction.atomic():
        ticket = None
        if ticket_id is not None:
            check_ticket_readable(actor, ticket_id)
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            team_id = team_id if team_id is not None else ticket.team_id
            contact_id = contact_id if contact_id is not None else ticket.contact_id
        if contact_id is not None and (ticket is None or contact_id != ticket.contact_id):
            check_contact_readable(actor, contact_id)
        if ticket is None or team_id != ticket.team_id:
            check_team(actor, team_id)
        if assignee_id is None and team_id is None:
            assignee_id = actor.pk
        check_assignee(assignee_id, team_id, ticket)
        task = Task.objects.create(
            title=title,
            notes=notes,
            kind=kind,
            due_at=due_at,
            assignee_id=assignee_id,
            team_id=team_id,
            created_by_id=actor.pk,
            ticket=ticket,
            contact_id=contact_id,
            call_id=call_id,
            call_number=call_number[:64],
        )
        record_task_event(task_event(TaskCreated, task), task, ticket, actor)
        return task


def lock_task(
    actor: Actor, task_id: int, expected_version: int | None = None
) -> tuple[Task, Ticket | None]:
    """Lock the task's ticket (if any), then the task; check access and version."""
    found = check_task(actor, task_id)
    ticket = None
    if found.ticket_id is not None:
        ticket = Ticket.objects.select_for_update().get(pk=found.ticket_id)
    task = Task.objects.select_for_update().get(pk=task_id)
    if expected_version is not None and task.version != expected_version:
        raise Conflict(
            f"task {task_id} changed (version {task.version}, you had {expected_version})",
            field="version",
        )
    return task, ticket


def save_task(task: Task, fields: list[str]) -> None:
    task.version += 1
    task.save(update_fields=[*dict.fromkeys([*fields, "version", "updated_at"])])


def _apply(task: Task, ticket: Ticket | None, actor: Actor, changes: dict[str, Any]) -> list[str]:
    changed: list[str] = []
    if "title" in changes:
        task.title = _clean_title(changes["title"])
    if "notes" in changes:
        task.notes = _clean_notes(changes["notes"])
    if "due_at" in changes:
        task.due_at = _clean_due(changes["due_at"])
    if "team_id" in changes and changes["team_id"] != task.team_id:
        check_team(actor, changes["team_id"])
        task.team_id = changes["team_id"]
    if "assignee_id" in changes:
        check_assignee(changes["assignee_id"], task.team_id, ticket)
        task.assignee_id = changes["assignee_id"]
    if "status" in changes:
        if changes["status"] not in TaskStatus.values:
            raise Invalid(f"unknown status {changes['status']!r}", field="status")
        task.status = changes["status"]
    for name in EDITABLE:
        if name in changes:
            changed.append(name.removesuffix("_id"))
    return changed


def do_update_task(
    actor: Actor, task_id: int, changes: dict[str, Any], *, expected_version: int | None = None
) -> Task:
    """Change a task's title, notes, due time, assignee, team or status."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        task, ticket = lock_task(actor, task_id, expected_version)
        before = {name: getattr(task, name) for name in EDITABLE}
        _apply(task, ticket, actor, changes)
        fields = [name for name in EDITABLE if getattr(task, name) != before[name]]
        if not fields:
            return task
        if "due_at" in fields:
            task.reminded_at = None
            fields.append("reminded_at")
        if "status" in fields:
            task.completed_at = None if task.is_active else timezone.now()
            fields.append("completed_at")
        save_task(task, [f.removesuffix("_id") for f in fields])
        shown = [
            f.removesuffix("_id") for f in fields if f != "reminded_at" and f != "completed_at"
        ]
        updated = task_event(
            TaskUpdated, task, previous_assignee_id=before["assignee_id"], fields=shown
        )
        record_task_event(updated, task, ticket, actor)
        return task


def do_set_task_status(actor: Actor, task_id: int, status: str) -> Task:
    """Start, finish, cancel or reopen a task."""
    return do_update_task(actor, task_id, {"status": status})
