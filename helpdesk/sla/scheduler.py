"""The scheduler's SLA step: breaches and due-soon warnings, every second.

Due clocks are found through the partial indexes on `next_due_at` and `warn_at`,
so a tick costs what is due, not what is open. Several processes may tick at
once: each ticket is handled under its row lock and checked again there, so a
breach is recorded once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.models import Ticket
from helpdesk.sla import clocks, notify
from helpdesk.sla.event_schemas import SlaBreached, SlaDueSoon
from helpdesk.sla.models import TicketSla

logger = logging.getLogger(__name__)

BATCH = 500
TICK_SECONDS = 1.0


def _lock(ticket_id: int) -> tuple[Ticket, TicketSla] | None:
    # Lock order: the ticket row first, then its SLA row (docs/architecture.md).
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    row = TicketSla.objects.select_for_update().filter(pk=ticket_id).first()
    return (ticket, row) if ticket is not None and row is not None else None


def breach_one(ticket_id: int, now: datetime) -> list[tuple[str, datetime]]:
    """Record the breaches of one ticket's overdue clocks (none if another process did)."""
    with transaction.atomic():
        found = _lock(ticket_id)
        if found is None:
            return []
        ticket, row = found
        breached = clocks.breach_due(row, now)
        clocks.refresh(row, now)
        row.save(update_fields=clocks.FIELDS)
        if not breached:
            return []
        users = notify.recipients(ticket, supervisors=True)
        for target, due in breached:
            notify.tell("sla_breached", ticket, target, due, users)
        events.record_many(
            [
                events.Pending(
                    SlaBreached(
                        ticket_id=ticket.pk, policy=row.policy_name, target=target, due_at=due
                    ),
                    ticket,
                    None,
                )
                for target, due in breached
            ]
        )
    return breached


def warn_one(ticket_id: int, now: datetime) -> bool:
    """Warn once that the ticket's next target is due soon."""
    with transaction.atomic():
        found = _lock(ticket_id)
        if found is None:
            return False
        ticket, row = found
        if row.warn_at is None or row.warn_at > now or row.next_due_at is None:
            return False
        target = clocks.next_target(row)
        due = row.next_due_at
        row.warn_at = None
        row.save(update_fields=["warn_at"])
        if target is None or due <= now:
            return False
        notify.tell(
            "sla_due_soon", ticket, target, due, notify.recipients(ticket, supervisors=False)
        )
        event = SlaDueSoon(ticket_id=ticket.pk, policy=row.policy_name, target=target, due_at=due)
        events.record(event, ticket=ticket, actor_id=None)
    return True


def tick(now: datetime | None = None) -> dict[str, int]:
    """One round: breaches first (they matter more), then warnings."""
    from helpdesk.sla import timerules

    now = now or timezone.now()
    due = TicketSla.objects.filter(next_due_at__lte=now).order_by("next_due_at")
    breached = 0
    for ticket_id in list(due.values_list("ticket_id", flat=True)[:BATCH]):
        found = breach_one(ticket_id, now)
        breached += len(found)
        for target, due_at in found:
            timerules.on_breach(ticket_id, target, due_at)
    warned = 0
    soon = TicketSla.objects.filter(warn_at__lte=now).order_by("warn_at")
    for ticket_id in list(soon.values_list("ticket_id", flat=True)[:BATCH]):
        warned += warn_one(ticket_id, now)
    return {"sla_breached": breached, "sla_warned": warned}
