"""Shared helpers for the action tests."""

from __future__ import annotations

from typing import Any

from helpdesk.ingest import receive
from helpdesk.models import Inbox, Ticket, TicketEvent
from tests.factories import inbound


def open_ticket(inbox: Inbox, **kwargs: Any) -> Ticket:
    """A ticket opened by a customer's message, as it would be in production."""
    return receive(inbound(inbox, **kwargs)).ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def events_of(ticket: Ticket | None, type_: str) -> list[dict[str, Any]]:
    rows = TicketEvent.objects.filter(type=type_).order_by("id")
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return [row.payload for row in rows]
