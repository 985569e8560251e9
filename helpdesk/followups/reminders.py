"""Task reminders: the scheduler's minute step tells owners of tasks that are due."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from helpdesk import events
from helpdesk.event_schemas import TaskReminder
from helpdesk.followups import notices
from helpdesk.followups.actions import task_event
from helpdesk.followups.models import Task, TaskStatus
from helpdesk.models import Ticket

logger = logging.getLogger(__name__)

BATCH = 500


def send_due_reminders(now: datetime) -> int:
    """Remind once per due time every active task whose time has come; returns how many.

    Each task in its own short transaction, under its (ticket's and) row lock, so
    two schedulers running at once remind a task once.
    """
    due = Task.objects.filter(
        status__in=TaskStatus.active(), reminded_at__isnull=True, due_at__lte=now
    ).order_by("due_at")
    sent = 0
    for task_id, ticket_id in due.values_list("id", "ticket_id")[:BATCH]:
        try:
            sent += _remind(task_id, ticket_id, now)
        except Exception:
            logger.exception("reminder of task %s failed", task_id)
    return sent


def _remind(task_id: int, ticket_id: int | None, now: datetime) -> int:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update().filter(pk=ticket_id).first() if ticket_id else None
        )
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None or task.reminded_at is not None or not task.is_active:
            return 0
        if task.due_at is None or task.due_at > now:
            return 0
        task.reminded_at = now
        task.save(update_fields=["reminded_at"])
        notices.task_due(task)
        events.record(
            task_event(TaskReminder, task), ticket=ticket, team_id=task.team_id, actor_id=None
        )
        return 1
