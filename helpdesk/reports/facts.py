"""Refresh the stored facts of a conversation and move the rollup by the difference."""

from __future__ import annotations

import logging
from copy import copy

from django.db import transaction

from helpdesk.models import Message, Ticket, TicketEvent
from helpdesk.models.automation import InboxAutomation
from helpdesk.reports import metrics, rollups
from helpdesk.reports.models import TicketFact
from helpdesk.sla.business_time import Calendar

logger = logging.getLogger(__name__)


def calendar_for(inbox_id: int) -> Calendar | None:
    """The inbox's business hours (its automation settings), None for calendar time."""
    auto = InboxAutomation.objects.filter(inbox_id=inbox_id).select_related("business_hours")
    row = auto.first()
    if row is None or row.business_hours is None:
        return None
    return Calendar.of(row.business_hours)


def compute(ticket: Ticket, calendar: Calendar | None) -> TicketFact:
    """The facts of `ticket` as they are now (not saved)."""
    messages = [
        metrics.MessageFact(at, d, a)
        for at, d, a in Message.objects.filter(ticket_id=ticket.pk).values_list(
            "created_at", "direction", "author_kind"
        )
    ]
    changes = [
        metrics.StatusChange(at, str(p.get("status", "")), str(p.get("previous_status", "")))
        for at, p in TicketEvent.objects.filter(
            ticket_id=ticket.pk, type="ticket.status_changed"
        ).values_list("created_at", "payload")
    ]
    f = metrics.conversation_facts(ticket.created_at, ticket.status, messages, changes, calendar)
    return TicketFact(
        ticket_id=ticket.pk,
        inbox_id_value=ticket.inbox_id,
        team_id_value=ticket.team_id or 0,
        agent_id_value=ticket.assignee_id or 0,
        channel=ticket.inbox.kind,
        contact_id_value=ticket.contact_id,
        status=ticket.status,
        merged=ticket.merged_into_id is not None,
        created_at=ticket.created_at,
        first_response_at=f.first_response_at,
        first_response_s=f.first_response_s,
        first_response_bs=f.first_response_bs,
        reply_count=f.reply_count,
        reply_sum_s=f.reply_sum_s,
        reply_sum_bs=f.reply_sum_bs,
        resolved_at=f.resolved_at,
        resolution_s=f.resolution_s,
        resolution_bs=f.resolution_bs,
        reopened=f.reopened,
        messages_in=f.messages_in,
        messages_out=f.messages_out,
    )


def _commit_without_waiting_for_disk() -> None:
    """Facts are derived rows, refreshed after every ingest and action commit: waiting
    for a second fsync per message cost ingest a third of its time, and held the hot
    rollup row locked meanwhile. A crash can lose the last fraction of a second of
    refreshes, whole (fact and rollup delta together, never half); the next event of
    the ticket recomputes it, and `rebuild_reports` recomputes everything."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def refresh(ticket_id: int) -> TicketFact | None:
    """Recompute one conversation's facts and move the rollup by the difference."""
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        old = TicketFact.objects.select_for_update().filter(pk=ticket_id).first()
        ticket = Ticket.objects.select_related("inbox").filter(pk=ticket_id).first()
        if ticket is None:
            if old is not None:
                rollups.apply(rollups.delta(old, None))
                old.delete()
            return None
        new = compute(ticket, calendar_for(ticket.inbox_id))
        before = copy(old) if old is not None else None
        new.save(force_insert=old is None)
        rollups.apply(rollups.delta(before, new))
        return new


def rebuild_all(batch: int = 2000) -> tuple[int, int]:
    """Recompute every fact, then the rollup from them: (facts, rollup rows)."""
    calendars: dict[int, Calendar | None] = {}
    count = 0
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            rows = []
            for ticket in Ticket.objects.filter(pk__in=chunk).select_related("inbox"):
                if ticket.inbox_id not in calendars:
                    calendars[ticket.inbox_id] = calendar_for(ticket.inbox_id)
                rows.append(compute(ticket, calendars[ticket.inbox_id]))
            TicketFact.objects.filter(pk__in=chunk).delete()
            TicketFact.objects.bulk_create(rows)
            count += len(rows)
    TicketFact.objects.exclude(ticket__in=Ticket.objects.all()).delete()
    return count, rollups.rebuild()
