"""Calls in a ticket's timeline (the phone channel records the calls themselves)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import Actor, lock_ticket, save_ticket
from helpdesk.ingest import message_created
from helpdesk.models import AuthorKind, Direction, Message, TicketStatus


def do_add_call_entry(
    actor: Actor, ticket_id: int, *, text: str, inbound: bool, call: dict[str, Any]
) -> Message:
    """Append a logged call to the ticket's timeline as a message of the phone channel.

    `call` is a JSON-safe summary (number, direction, outcome, durations, notes)
    kept in the message's channel_meta so the timeline can render it as a call.
    """
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id)
        now = timezone.now()
        message = Message.objects.create(
            ticket=ticket,
            inbox_id=ticket.inbox_id,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            author_kind=AuthorKind.AGENT,
            author_agent_id=actor.pk,
            author_contact_id=ticket.contact_id if inbound else None,
            text=text,
            channel_meta={"call": call},
            created_at=now,
        )
        ticket.last_message_at = now
        fields = ["last_message_at"]
        if not inbound and ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        if ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.OPEN
            fields.append("status")
        save_ticket(ticket, fields)
        events.record(message_created(message, "phone"), ticket=ticket, actor_id=actor.pk)
        return message
