"""What a customer changes from the portal: closing and reopening their own request.

Replies and new requests are not actions of this module: they go through the one
ingest path (helpdesk.ingest.receive) as messages of channel `portal`; ratings go
through helpdesk.surveys.actions.do_answer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import save_ticket
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.event_schemas import TicketStatusChanged
from helpdesk.models import Ticket, TicketStatus

CLOSABLE = {
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING,
    TicketStatus.SNOOZED,
    TicketStatus.RESOLVED,
}
REOPENABLE = {TicketStatus.RESOLVED, TicketStatus.CLOSED}


def do_customer_set_status(own_ids: frozenset[int], ticket_id: int, status: str) -> Ticket:
    """Close (`closed`) or reopen (`open`) one of the customer's own tickets.

    `own_ids` are the signed-in contact and the contacts merged into it; any
    other ticket is NotFound. Records `ticket.status_changed` with no agent actor.
    """
    allowed_from = {TicketStatus.CLOSED: CLOSABLE, TicketStatus.OPEN: REOPENABLE}.get(
        TicketStatus(status) if status in TicketStatus.values else TicketStatus.NEW
    )
    if allowed_from is None:
        raise Invalid(f"a customer may not set status {status!r}", field="status")
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(pk=ticket_id, contact_id__in=own_ids, merged_into=None)
            .first()
        )
        if ticket is None:
            raise NotFound(f"ticket {ticket_id} not found")
        previous = ticket.status
        if previous not in allowed_from:
            return ticket
        ticket.status = status
        ticket.snoozed_until = None
        if status == TicketStatus.CLOSED:
            ticket.resolved_at = ticket.resolved_at or timezone.now()
        else:
            ticket.resolved_at = None
        save_ticket(ticket, ["status", "snoozed_until", "resolved_at"])
        changed = TicketStatusChanged(
            ticket_id=ticket.pk, status=status, previous_status=previous, snoozed_until=None
        )
        events.record(changed, ticket=ticket, actor_id=None)
        return ticket
