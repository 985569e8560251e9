"""Refresh the stored facts of a conversation and move the rollup by the difference."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.db import transaction

from helpdesk.automation import config_cache
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


def _histories(
    ticket_ids: Collection[int],
) -> tuple[dict[int, list[metrics.MessageFact]], dict[int, list[metrics.StatusChange]]]:
    """The messages and status changes of these tickets: two queries, whatever their number."""
    messages: dict[int, list[metrics.MessageFact]] = {t: [] for t in ticket_ids}
    rows = Message.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "created_at", "direction", "author_kind"
    )
    for ticket_id, at, d, a in rows:
        messages[ticket_id].append(metrics.MessageFact(at, d, a))
    changes: dict[int, list[metrics.StatusChange]] = {t: [] for t in ticket_ids}
    events = TicketEvent.objects.filter(
        ticket_id__in=ticket_ids, type="ticket.status_changed"
    ).values_list("ticket_id", "created_at", "payload")
    for ticket_id, at, p in events:
        changes[ticket_id].append(
            metrics.StatusChange(at, str(p.get("status", "")), str(p.get("previous_status", "")))
        )
    return messages, changes


def compute(
    ticket: Ticket,
    calendar: Calendar | None,
    history: tuple[list[metrics.MessageFact], list[metrics.StatusChange]] | None = None,
) -> TicketFact:
    """The facts of `ticket` as they are now (not saved); `history` when read already."""
    if history is None:
        found = _histories([ticket.pk])
        history = (found[0][ticket.pk], found[1][ticket.pk])
    messages, changes = history
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
        tags=list(ticket.tags or []),
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
    return refresh_many([ticket_id]).get(ticket_id)


def refresh_many(ticket_ids: Collection[int]) -> dict[int, TicketFact]:
    """`refresh` for several conversations in one transaction and a constant number of
    queries (a mail import's batch of 200 touches ~150 tickets); returns the new facts."""
    ids = sorted(set(ticket_ids))  # facts locked in id order: no deadlock between two
    if not ids:
        return {}
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        old = {f.pk: f for f in TicketFact.objects.select_for_update().filter(pk__in=ids)}
        tickets = Ticket.objects.select_related("inbox").in_bulk(ids)
        messages, changes = _histories(list(tickets))
        calendars = _calendars({t.inbox_id for t in tickets.values()})
        new: dict[int, TicketFact] = {}
        changed: rollups.Changes = {}
        for ticket_id in ids:
            ticket = tickets.get(ticket_id)
            fact = None
            if ticket is not None:
                history = (messages[ticket_id], changes[ticket_id])
                fact = new[ticket_id] = compute(ticket, calendars[ticket.inbox_id], history)
            rollups.merge(changed, rollups.delta(old.get(ticket_id), fact))
        _store(new, old)
        rollups.apply(changed)
        return new


def _store(new: dict[int, TicketFact], old: dict[int, TicketFact]) -> None:
    """Write the new facts: an UPDATE each for a few (one live message), else the old
    rows replaced whole (cheaper than bulk_update's CASE WHEN per field and row)."""
    if len(old) <= _UPDATED_ONE_BY_ONE:
        for pk in old:
            if pk in new:
                new[pk].save(force_update=True)
            else:
                old[pk].delete()
        TicketFact.objects.bulk_create([f for pk, f in new.items() if pk not in old])
        return
    TicketFact.objects.filter(pk__in=list(old)).delete()
    TicketFact.objects.bulk_create(list(new.values()))


_UPDATED_ONE_BY_ONE = 2


def _calendars(inbox_ids: set[int]) -> dict[int, Calendar | None]:
    """Each inbox's business hours (None for calendar time), from the automation
    settings' cache (the ingest rules read the same rows; changes show within 5 s)."""
    found: dict[int, Calendar | None] = {}
    for inbox_id in inbox_ids:
        row = config_cache.inbox_automation(inbox_id)
        hours = row.business_hours if row is not None else None
        found[inbox_id] = Calendar.of(hours) if hours is not None else None
    return found


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
