"""Which ticket an inbound message belongs to: the threading rules, in one place."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from helpdesk.inbound import InboundMessage
from helpdesk.models import ChannelKind, Contact, Inbox, Message, Ticket, TicketStatus


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _by_references(msg: InboundMessage, inbox: Inbox) -> Ticket | None:
    refs = [r for r in (msg.thread.in_reply_to, *msg.thread.references) if r]
    if not refs:
        return None
    found = (
        Message.objects.filter(inbox=inbox, external_id__in=refs)
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    return found.ticket if found else None


def _by_ticket_number(msg: InboundMessage, contact: Contact) -> Ticket | None:
    # A ticket number in a subject is a hint anyone can type: only the ticket's
    # own contact may thread into it, so a stranger quoting "#1234" gets a new ticket.
    number = msg.thread.ticket_number
    if number is None:
        return None
    return Ticket.objects.filter(pk=number, contact=contact).first()


def _latest_of_contact(inbox: Inbox, contact: Contact) -> Ticket | None:
    return Ticket.objects.filter(inbox=inbox, contact=contact).order_by("-id").first()


def find_candidate(msg: InboundMessage, inbox: Inbox, contact: Contact) -> Ticket | None:
    """The ticket the message refers to, before the reopen rule is applied."""
    ticket = _by_references(msg, inbox) or _by_ticket_number(msg, contact)
    # Email: a new mail without a reference is a new conversation. Chat, Telegram
    # and phone are one continuous conversation per contact and inbox.
    if ticket is None and inbox.kind != ChannelKind.EMAIL:
        ticket = _latest_of_contact(inbox, contact)
    return _follow_merges(ticket) if ticket else None


def reopenable(ticket: Ticket) -> bool:
    """A resolved ticket reopens within the window; closed ones never do."""
    if ticket.status != TicketStatus.RESOLVED:
        return False
    window = timedelta(days=settings.HELPDESK_REOPEN_WINDOW_DAYS)
    resolved_at = ticket.resolved_at or ticket.updated_at
    return timezone.now() - resolved_at <= window
