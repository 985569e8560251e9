"""What a subscriber receives: the event as the event log holds it, plus snapshots.

    {"type": "ticket.updated",            the webhook type (catalog.py)
     "event": {seq, type, ticket_id, team_id, actor_id, at, data},   the log's frame
     "changes": {"status": {"from": "new", "to": "open"}},           ticket.updated only
     "ticket": {...} | null, "contact": {...} | null,
     "message": {...}}                     message.created only (with its visibility)

Snapshots are taken when the event is turned into deliveries (moments after it
happened), and the body is stored: every retry sends the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from helpdesk.api.serialize import TICKET_RELATED, contact_out, ticket_out
from helpdesk.events import to_frame
from helpdesk.models import Contact, Direction, Message, Ticket, TicketEvent
from helpdesk.outbound_webhooks import catalog
from helpdesk.outbound_webhooks.catalog import WebhookEvent


class Visibility:
    PUBLIC = "public"
    INTERNAL = "internal"


def ticket_id_of(event: TicketEvent) -> int | None:
    tid = event.ticket_id or event.payload.get("ticket_id")
    return tid if isinstance(tid, int) else None


class Snapshots:
    """The tickets, contacts and messages a batch of events refers to, in three queries."""

    def __init__(self, batch: list[TicketEvent]) -> None:
        ticket_ids = {t for t in map(ticket_id_of, batch) if t is not None}
        self.tickets: dict[int, Ticket] = Ticket.objects.select_related(*TICKET_RELATED).in_bulk(
            ticket_ids
        )
        contact_ids = {t.contact_id for t in self.tickets.values()}
        contact_ids |= {
            e.payload["contact_id"] for e in batch if isinstance(e.payload.get("contact_id"), int)
        }
        self.contacts: dict[int, Contact] = Contact.objects.prefetch_related("identities").in_bulk(
            contact_ids
        )
        message_ids = [
            e.payload["message_id"]
            for e in batch
            if e.type == WebhookEvent.MESSAGE_CREATED
            and isinstance(e.payload.get("message_id"), int)
        ]
        self.messages: dict[int, Message] = Message.objects.in_bulk(message_ids)

    def ticket(self, event: TicketEvent) -> Ticket | None:
        tid = ticket_id_of(event)
        return self.tickets.get(tid) if tid is not None else None

    def contact_id(self, event: TicketEvent) -> int | None:
        cid = event.payload.get("contact_id")
        if isinstance(cid, int):
            return cid
        ticket = self.ticket(event)
        return ticket.contact_id if ticket is not None else None

    def message(self, event: TicketEvent) -> Message | None:
        mid = event.payload.get("message_id")
        return self.messages.get(mid) if isinstance(mid, int) else None


def message_out(message: Message) -> dict[str, Any]:
    """A message as subscribers see it: direction and visibility first."""
    internal = message.direction == Direction.NOTE
    return {
        "id": message.pk,
        "ticket_id": message.ticket_id,
        "direction": message.direction,
        "visibility": Visibility.INTERNAL if internal else Visibility.PUBLIC,
        "author_kind": message.author_kind,
        "author_contact_id": message.author_contact_id,
        "author_agent_id": message.author_agent_id,
        "subject": message.subject,
        "text": message.text,
        "delivery_status": message.delivery_status,
        "created_at": message.created_at,
    }


def build(event: TicketEvent, webhook_type: str, snapshots: Snapshots) -> dict[str, Any]:
    """The body (as a dict) of `event` delivered as `webhook_type`."""
    body: dict[str, Any] = {"type": webhook_type, "event": to_frame(event)}
    if webhook_type == WebhookEvent.TICKET_UPDATED:
        body["changes"] = catalog.changes(event.type, event.payload)
    ticket = snapshots.ticket(event)
    body["ticket"] = ticket_out(ticket) if ticket is not None else None
    contact_id = snapshots.contact_id(event)
    contact = snapshots.contacts.get(contact_id) if contact_id is not None else None
    body["contact"] = contact_out(contact) if contact is not None else None
    if webhook_type == WebhookEvent.MESSAGE_CREATED:
        message = snapshots.message(event)
        body["message"] = message_out(message) if message is not None else None
    return body


def dumps(body: dict[str, Any]) -> str:
    """The JSON text sent (and signed) for `body`."""
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
