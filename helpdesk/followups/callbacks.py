"""The phone channel's missed calls become call-back tasks.

The core imports no channel. A missed call reaches the core as a message of the
phone channel through the one ingest path, its call summary in `meta["call"]`
(direction, outcome, number, call id); an inbound rule (inside the ingest
transaction, the ticket and contact rows already locked) opens a call-back task
on that ticket for the ticket's team. Answering the customer later settles it:
the phone channel's `call.ended` event of an answered outbound call to the same
number finishes the team's open call-back tasks for it (after that commit, in a
transaction of its own, taking the task rows before the event sequence lock).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import events, ingest
from helpdesk.event_schemas import TaskCreated, TaskUpdated
from helpdesk.followups.actions import save_task, task_event
from helpdesk.followups.models import Task, TaskKind, TaskStatus
from helpdesk.inbound import InboundMessage
from helpdesk.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

CALL_ENDED = "call.ended"
NOT_REACHED = {"missed", "busy", "voicemail"}


def _due_minutes() -> int:
    return int(getattr(settings, "HELPDESK_CALLBACK_DUE_MINUTES", 30))


def on_inbound(result: ingest.IngestResult, msg: InboundMessage) -> None:
    """A stored message that is a missed inbound call opens its call-back task."""
    call = (msg.meta or {}).get("call")
    if not result.created or not isinstance(call, dict):
        return
    if call.get("direction") != "in" or call.get("outcome") not in NOT_REACHED:
        return
    ticket = result.ticket
    number = str(call.get("number") or "")
    name = ticket.contact.name
    try:
        with transaction.atomic():
            task = Task.objects.create(
                title=f"Call back {name} ({number})"
                if name and name != number
                else f"Call back {number}",
                kind=TaskKind.CALLBACK,
                due_at=timezone.now() + timedelta(minutes=_due_minutes()),
                team_id=ticket.team_id,
                ticket=ticket,
                contact_id=ticket.contact_id,
                call_id=call.get("call_id"),
                call_number=number[:64],
            )
    except IntegrityError:
        return  # this call already has its task
    events.record(task_event(TaskCreated, task), ticket=ticket, actor_id=None)


def on_event(event: TicketEvent) -> None:
    """Inside every event's recording transaction: only an answered outbound call matters."""
    if event.type != CALL_ENDED:
        return
    data = event.payload
    answered = data.get("direction") == "out" and data.get("outcome") == "answered"
    if answered and data.get("number") and event.team_id is not None:
        settle = partial(settle_callbacks, str(data["number"]), event.team_id, event.actor_id)
        transaction.on_commit(settle, robust=True)


def settle_callbacks(number: str, team_id: int, actor_id: int | None) -> int:
    """Finish the team's open call-back tasks for `number`; returns how many."""
    waiting = Task.objects.filter(
        kind=TaskKind.CALLBACK, status__in=TaskStatus.active(), call_number=number, team_id=team_id
    )
    settled = 0
    for task_id, ticket_id in waiting.order_by("id").values_list("id", "ticket_id")[:50]:
        with transaction.atomic():
            # The ticket's row first, then the task's (the lock order).
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            task = Task.objects.select_for_update().get(pk=task_id)
            if not task.is_active:
                continue
            task.status = TaskStatus.DONE
            task.completed_at = timezone.now()
            save_task(task, ["status", "completed_at"])
            updated = task_event(
                TaskUpdated, task, previous_assignee_id=task.assignee_id, fields=["status"]
            )
            events.record(updated, ticket=ticket, team_id=team_id, actor_id=actor_id)
            settled += 1
    return settled


def install() -> None:
    if on_inbound not in ingest.inbound_rules:
        ingest.inbound_rules.append(on_inbound)
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
