"""Ticket split: move some messages of a ticket into a new ticket of the same contact.

The mirror of `do_merge_tickets` (same rights: a supervisor of the team or an
admin). The new ticket follows up the old one; both timelines get a
`ticket.split` event, and the new one its `ticket.created`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q

from helpdesk import events
from helpdesk.actions.common import Actor, check_manage, lock_ticket, save_ticket
from helpdesk.actions.errors import Invalid
from helpdesk.event_schemas import TicketCreated, TicketSplit
from helpdesk.models import Direction, Message, Ticket, TicketStatus

MAX_SUBJECT = 300


def _recompute_times(ticket: Ticket) -> list[str]:
    found = Message.objects.filter(ticket=ticket).aggregate(
        last=Max("created_at", filter=~Q(direction=Direction.NOTE)),
        customer=Max("created_at", filter=Q(direction=Direction.INBOUND)),
        agent=Max("created_at", filter=Q(direction=Direction.OUTBOUND)),
    )
    ticket.last_message_at = found["last"]
    ticket.last_customer_message_at = found["customer"]
    ticket.last_agent_message_at = found["agent"]
    return ["last_message_at", "last_customer_message_at", "last_agent_message_at"]


def do_split_ticket(
    actor: Actor, ticket_id: int, message_ids: list[int], *, subject: str = ""
) -> Ticket:
    """Move `message_ids` (messages of the ticket, not all of them) to a new ticket."""
    wanted = sorted(set(message_ids))
    if not wanted:
        raise Invalid("choose the messages to move", field="message_ids")
    with transaction.atomic():
        source = lock_ticket(actor, ticket_id, contact_first=True)
        check_manage(actor, source)
        if source.merged_into_id:
            raise Invalid(f"ticket {ticket_id} was merged into {source.merged_into_id}")
        own = set(Message.objects.filter(ticket=source).values_list("id", flat=True))
        if not set(wanted) <= own:
            raise Invalid("some messages are not in this ticket", field="message_ids")
        if set(wanted) == own:
            raise Invalid("at least one message must stay in the ticket", field="message_ids")
        title = " ".join(subject.split())[:MAX_SUBJECT] or source.subject
        target = Ticket.objects.create(
            subject=title,
            contact_id=source.contact_id,
            inbox_id=source.inbox_id,
            team_id=source.team_id,
            assignee_id=source.assignee_id,
            priority=source.priority,
            tags=list(source.tags),
            status=TicketStatus.OPEN,
            follows_up=source,
        )
        target = Ticket.objects.select_for_update().get(pk=target.pk)
        moved = Message.objects.filter(ticket=source, pk__in=wanted).update(ticket=target)
        save_ticket(source, _recompute_times(source))
        save_ticket(target, _recompute_times(target))
        created = TicketCreated(
            ticket_id=target.pk,
            subject=target.subject,
            contact_id=target.contact_id,
            contact_name=target.contact.name,
            inbox_id=target.inbox_id,
            channel=target.inbox.kind,
            status=target.status,
            priority=target.priority,
            follows_up=source.pk,
        )
        split = TicketSplit(ticket_id=source.pk, split_into=target.pk, moved_messages=moved)
        events.record_many(
            [
                events.Pending(created, target, actor.pk),
                events.Pending(split, source, actor.pk),
                events.Pending(split, target, actor.pk),
            ]
        )
        return target
